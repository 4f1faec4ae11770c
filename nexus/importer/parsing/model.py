"""What the parser extracts from one Markdown document (plain data, JSON-friendly)."""

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class TechnologyGroup:
    category: str
    names: list[str] = field(default_factory=list)


@dataclass
class Concept:
    title: str
    explanation: str = ""


@dataclass
class Challenge:
    title: str
    problem: str = ""
    solution: str = ""


@dataclass
class Practice:
    title: str
    explanation: str = ""
    # "best_practice" or "takeaway", after the heading it was found under.
    kind: str = "best_practice"


@dataclass
class MonthLog:
    number: int
    title: str
    entries: list[str] = field(default_factory=list)
    milestones: list[str] = field(default_factory=list)
    # The lines of the document's text (`ParsedDocument.body`) it was read from, heading and body:
    # the first, and the one after the last (0-based). Its date is read from them.
    start_line: int = 0
    end_line: int = 0


@dataclass
class ParsedDocument:
    title: str
    body: str
    front_matter: dict[str, Any] = field(default_factory=dict)
    is_journal: bool = False
    overview: str = ""
    technology_groups: list[TechnologyGroup] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    challenges: list[Challenge] = field(default_factory=list)
    practices: list[Practice] = field(default_factory=list)
    months: list[MonthLog] = field(default_factory=list)
    weeks: list[MonthLog] = field(default_factory=list)
    # Section headings and what each was recognised as, for the import report.
    sections: list[tuple[str, str]] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)

    @property
    def technologies(self) -> list[str]:
        """Every technology name once, in the order found."""
        return list(dict.fromkeys(name for group in self.technology_groups for name in group.names))

    def recognised(self) -> dict[str, int]:
        """Counts per kind, as shown in the import report."""
        return {
            "technology_categories": len(self.technology_groups),
            "technologies": len(self.technologies),
            "concepts": len(self.concepts),
            "challenges": len(self.challenges),
            "challenges_with_solutions": sum(1 for c in self.challenges if c.solution),
            "practices": len(self.practices),
            "months": len(self.months),
            "weeks": len(self.weeks),
            "milestones": sum(len(month.milestones) for month in self.months),
        }

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("body")
        data["technologies"] = self.technologies
        return data
