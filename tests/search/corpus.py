"""Fixture corpora for the relevance tests.

- `shared_sections()`: the learners' READMEs in ../shared/corpus and the seed journal, split into
  one article per heading, read at run time (nothing of them is copied into the repository).
- `SYNTHETIC`: a small corpus written for these tests, so a clone without ../shared still runs.
"""

import re
from dataclasses import dataclass

from tests.shared import SHARED_DIR

HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*#*\s*$")
NOT_WORDS = re.compile(r"[^\w\s&/.+#:'()-]")
MIN_BODY_CHARS = 80


@dataclass(frozen=True)
class Section:
    title: str
    body: str
    source: str


def clean_heading(text: str) -> str:
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = NOT_WORDS.sub(" ", text)
    return " ".join(text.split()).strip(" -:")


def split_sections(text: str, source: str) -> list[Section]:
    """One section per heading (levels 1-3), with the text up to the next heading."""
    sections: list[Section] = []
    title, lines = "", []
    for line in text.replace("\r\n", "\n").split("\n"):
        match = HEADING.match(line)
        if match:
            if title and len("\n".join(lines).strip()) >= MIN_BODY_CHARS:
                sections.append(Section(title, "\n".join(lines).strip(), source))
            title, lines = clean_heading(match.group(2))[:200], []
        else:
            lines.append(line)
    if title and len("\n".join(lines).strip()) >= MIN_BODY_CHARS:
        sections.append(Section(title, "\n".join(lines).strip(), source))
    return sections


def shared_sections() -> list[Section]:
    """Every section of the shared learning READMEs and the seed journal (empty if absent)."""
    files = sorted((SHARED_DIR / "corpus" / "readmes").glob("*.md"))
    files += sorted((SHARED_DIR / "seed").glob("*.md"))
    sections: list[Section] = []
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        sections += [s for s in split_sections(text, path.name) if s.title]
    return sections
