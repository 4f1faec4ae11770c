"""Scoring the parser against tests/data/journal_labels.yaml (the labelling rules are at its top).

Labels point into the shared corpus instead of quoting it: `L42#1a2b3c4d` is line 42 of the
journal, whose normalised text hashes to 1a2b3c4d, so an edited corpus file fails loudly rather
than scoring against the wrong line. The label's text is that normalised line.

One matching rule for every kind but technologies: an extracted item and a label match when one's
normalised text contains the other's, or when their word sets overlap by at least half of the
smaller set; matching is one-to-one, each label taking the best unmatched item. Technologies
match by canonical name (nexus.importer.parsing.technologies), as the knowledge sink matches them.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nexus.importer.parsing import ParsedDocument
from nexus.importer.parsing import technologies as tech

LABELS_PATH = Path(__file__).resolve().parents[1] / "data" / "journal_labels.yaml"
KINDS = ("technologies", "categories", "concepts", "challenges", "practices", "periods")
KINDS += ("milestones",)
# Scored on matched challenges only: does the import keep the solution the author wrote?
SOLUTIONS = "solutions"
OVERLAP = 0.5
# Held out v2: every 8th journal by sorted file name (a subset of v1's every 4th, so never looked
# at) stays blind, never tuned on. The other v1 held-out files were opened for analysis in
# session 6 and are tuning files now; the last blind figure of v1 was overall 0.65/0.75.
HELD_OUT_EVERY = 8
REFERENCE = re.compile(r"^L(\d+)#([0-9a-f]{8})(?: ([+-]))?$")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "in",
        "on",
        "for",
        "to",
        "with",
        "by",
        "using",
        "via",
        "is",
        "are",
        "was",
        "my",
        "our",
    ]
)
MIN_CONTAINED_CHARS = 3


def normalise(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return " ".join(re.sub(r"[^a-z0-9+#]+", " ", text.lower()).split())


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()[:8]


def words(text: str) -> set[str]:
    return {word for word in text.split() if word not in STOPWORDS}


def similarity(found: str, label: str) -> float:
    """1.0 for containment, else the word overlap over the smaller set; 0 below the threshold."""
    long_enough = min(len(found), len(label)) >= MIN_CONTAINED_CHARS
    if long_enough and (f" {found} " in f" {label} " or f" {label} " in f" {found} "):
        return 1.0
    found_words, label_words = words(found), words(label)
    if not found_words or not label_words:
        return 0.0
    ratio = len(found_words & label_words) / min(len(found_words), len(label_words))
    return ratio if ratio >= OVERLAP else 0.0


def match(labels: list[str], found: list[str]) -> list[tuple[int, int]]:
    """(label index, found index) pairs, one-to-one, each label taking its best free item."""
    taken: set[int] = set()
    pairs = []
    for label_index, label in enumerate(labels):
        scores = [
            (similarity(item, label), index)
            for index, item in enumerate(found)
            if index not in taken
        ]
        best = max(scores, default=(0.0, -1))
        if best[0] > 0:
            taken.add(best[1])
            pairs.append((label_index, best[1]))
    return pairs


@dataclass
class Tally:
    hits: int = 0
    found: int = 0
    expected: int = 0

    def add(self, hits: int, found: int, expected: int) -> None:
        self.hits += hits
        self.found += found
        self.expected += expected

    @property
    def precision(self) -> float:
        return self.hits / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.expected if self.expected else 1.0


@dataclass
class Score:
    kinds: dict[str, Tally] = field(
        default_factory=lambda: {kind: Tally() for kind in (*KINDS, SOLUTIONS)}
    )

    @property
    def overall(self) -> Tally:
        total = Tally()
        for kind in KINDS:
            tally = self.kinds[kind]
            total.add(tally.hits, tally.found, tally.expected)
        return total


def load_labels() -> dict[str, dict[str, list]]:
    return yaml.safe_load(LABELS_PATH.read_text(encoding="utf-8"))


def held_out(name: str, names: list[str]) -> bool:
    return sorted(names).index(name) % HELD_OUT_EVERY == HELD_OUT_EVERY - 1


def resolve(reference: str, lines: list[str], where: str) -> tuple[str, str]:
    """(normalised line text, "+" / "-" / "") for one reference, checked against its hash."""
    parsed = REFERENCE.match(reference)
    assert parsed, f"{where}: {reference!r} is not L<line>#<hash>[ +|-]"
    number, digest, solved = int(parsed.group(1)), parsed.group(2), parsed.group(3) or ""
    assert 0 < number <= len(lines), f"{where}: line {number} is past the end"
    text = lines[number - 1]
    assert text_hash(text) == digest, f"{where}: line {number} no longer says what was labelled"
    return normalise(text), solved


def _tech_key(name: str) -> str:
    return re.sub(r"[^a-z0-9+#]", "", (tech.canonical(name) or name).lower())


def found_items(document: ParsedDocument) -> dict[str, list[str]]:
    """What the parser extracted, per kind, as normalised text."""
    periods = [f"month {m.number} {m.title}" for m in document.months]
    periods += [f"week {w.number} {w.title}" for w in document.weeks]
    milestones = [text for log in (*document.months, *document.weeks) for text in log.milestones]
    return {
        "categories": [g.category for g in document.technology_groups if g.category],
        "concepts": [concept.title for concept in document.concepts],
        "challenges": [challenge.title for challenge in document.challenges],
        "practices": [practice.title for practice in document.practices],
        "periods": periods,
        "milestones": milestones,
    }


def score_file(
    document: ParsedDocument, label: dict[str, list], lines: list[str], name: str
) -> Score:
    score = Score()
    found_tech = {_tech_key(n) for n in document.technologies}
    expected_tech = {_tech_key(n) for n in label["technologies"]}
    score.kinds["technologies"].add(
        len(found_tech & expected_tech), len(found_tech), len(expected_tech)
    )
    found = found_items(document)
    for kind in KINDS[1:]:
        references = [resolve(ref, lines, f"{name} {kind}") for ref in label[kind]]
        texts = [normalise(text) for text in found[kind]]
        pairs = match([text for text, _solved in references], texts)
        score.kinds[kind].add(len(pairs), len(texts), len(references))
        if kind == "challenges":
            challenges = document.challenges
            with_solution = [bool(challenges[f].solution.strip()) for _l, f in pairs]
            labelled = [references[lbl][1] == "+" for lbl, _f in pairs]
            score.kinds[SOLUTIONS].add(
                sum(1 for a, b in zip(with_solution, labelled, strict=True) if a and b),
                sum(with_solution),
                sum(labelled),
            )
    return score
