"""A parsed document as a flat list of items, each with a stable key, a content hash and an
identity.

The key identifies an item across imports of the same file by the same route (so a changed
explanation updates the same article); the hash says whether it changed. The identity is the
item's own (its kind and key, which stand for its place under the headings, and a hash of its
text) and holds nothing of the route: the same journal imported as a file, then in a folder, a
zip or a git repository finds what the first import wrote instead of writing it again.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from django.utils.text import slugify

from nexus.importer.parsing import MonthLog, ParsedDocument
from nexus.importer.parsing import technologies as known
from nexus.importer.sources.base import LineHistory

JOURNAL_TAG = "learning-journal"
# Where an item came from, which its identity leaves out.
ROUTE_FIELDS = frozenset({"repository", "path", "commit"})
IMPORTED_TAG = "imported"


@dataclass
class FileContext:
    """What every item of one file shares: where it came from."""

    source_key: str
    source_label: str
    path: str
    repository: str = ""
    commit: str = ""
    # The source's kind (file, zip, folder, git): what the provenance line may name.
    source_kind: str = ""
    # When each line of the file was first committed (git sources only).
    history: LineHistory | None = None


@dataclass(frozen=True)
class ExtractedItem:
    kind: str
    key: str
    title: str
    data: dict[str, Any] = field(default_factory=dict)
    # Where a month or week stands in the parsed text (first line, line after the last; 0-based)
    # and those lines, heading and body: its date is read from them. Neither is part of the
    # item's hash or identity.
    source_lines: tuple[int, int] | None = None
    source_text: str = ""

    # Both hashes are asked for several times an item while a chunk is written, and an item does
    # not change once extracted (frozen; `data` is not touched after extraction either).
    @cached_property
    def content_hash(self) -> str:
        payload = json.dumps({"title": self.title, **self.data}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()

    @cached_property
    def identity(self) -> str:
        own = {name: value for name, value in self.data.items() if name not in ROUTE_FIELDS}
        text = " ".join(json.dumps(own, sort_keys=True, default=str).lower().split())
        digest = hashlib.sha256(f"{self.title.lower()}\x1f{text}".encode("utf-8", "surrogatepass"))
        return f"{self.kind}:{self.key}:{digest.hexdigest()[:32]}"[:200]


def _key(prefix: str, title: str) -> str:
    return f"{prefix}:{slugify(title)[:150] or 'untitled'}"


def provenance(context: FileContext) -> str:
    """The line that says where an imported article came from. Readers see it, so it names a
    public repository, or the file's path inside what was imported, never a path on the server
    (a folder's label and a local repository's URL are such paths)."""
    parts = [_origin(context)]
    if context.commit:
        parts.append(f"commit `{context.commit[:12]}`")
    return "> Imported from " + ", ".join(parts) + "."


def _origin(context: FileContext) -> str:
    if context.repository and _is_remote(context.repository):
        return f"repository `{context.repository}`, path `{context.path}`"
    if context.source_kind == "git":
        return f"`{context.path}` in a git repository"
    if context.source_kind == "folder":
        return f"`{context.path}` in an imported folder"
    if context.source_kind == "zip":
        archive = PurePosixPath(context.source_label.replace("\\", "/")).name
        return f"`{context.path}` in the uploaded archive `{archive}`"
    return f"an uploaded file, `{context.path}`"


def _is_remote(repository: str) -> bool:
    """A repository others can reach by its URL (https, ssh, scp-like), not a local clone."""
    if urlsplit(repository).netloc:
        return True
    return bool(re.match(r"^[\w.-]+@[\w.-]+:", repository))


def _front_matter_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(part).strip() for part in value if str(part).strip()]
    return []


def items_for(document: ParsedDocument, context: FileContext) -> list[ExtractedItem]:
    """Everything one document turns into, in the order the sinks should write it."""
    return _with_unique_keys(_items(document, context))


def _with_unique_keys(items: list[ExtractedItem]) -> list[ExtractedItem]:
    """A key names one item of its file (one ledger row each): of items whose titles make the
    same key (three practices that are only punctuation), the second gets "-2", the third "-3".
    Sharing a key, all but one went unrecorded and were written again by every re-import."""
    taken: set[str] = set()
    unique = []
    for item in items:
        key, number = item.key, 1
        while key in taken:
            number += 1
            key = f"{item.key}-{number}"
        unique.append(item if key == item.key else replace(item, key=key))
        taken.add(key)
    return unique


def _items(document: ParsedDocument, context: FileContext) -> list[ExtractedItem]:
    technologies = document.technologies
    tags = [IMPORTED_TAG, JOURNAL_TAG] if document.is_journal else [IMPORTED_TAG]
    front = document.front_matter
    items = [
        ExtractedItem(
            kind="source_article",
            key="source",
            title=document.title,
            data={
                # The knowledge sink puts the provenance line above it.
                "body": f"{document.body.strip()}\n",
                "kind": str(front.get("kind", "guide")),
                "status": str(front.get("status", "")),
                "technologies": [*_front_matter_list(front.get("technologies")), *technologies],
                "tags": [*tags, *_front_matter_list(front.get("tags"))],
                "repository": context.repository,
                "path": context.path,
                "commit": context.commit,
            },
        )
    ]
    listed: set[str] = set()
    for group in document.technology_groups:
        for name in group.names:
            if name in listed:
                continue  # named in two of the author's groups: one technology, the first group
            listed.add(name)
            items.append(
                ExtractedItem(
                    kind="technology",
                    key=_key("technology", name),
                    title=name,
                    data={"category": group.category},
                )
            )
    if not document.is_journal:
        return items
    if document.overview:
        items.append(
            ExtractedItem(
                kind="overview",
                key="overview",
                title=f"{document.title}: overview"[:200],
                data={"body": document.overview, "technologies": technologies, "tags": tags},
            )
        )
    for concept in document.concepts:
        items.append(
            ExtractedItem(
                kind="concept",
                key=_key("concept", concept.title),
                title=concept.title,
                data={"explanation": concept.explanation},
            )
        )
    for practice in document.practices:
        items.append(
            ExtractedItem(
                kind=practice.kind,
                key=_key("practice", practice.title),
                title=practice.title,
                data={"explanation": practice.explanation, "tags": tags},
            )
        )
    for challenge in document.challenges:
        items.append(
            ExtractedItem(
                kind="challenge",
                key=_key("challenge", challenge.title),
                title=challenge.title,
                data={
                    "problem": challenge.problem,
                    "solution": challenge.solution,
                    # The challenge's own subject, not every technology of the journal.
                    "technologies": known.scan(
                        f"{challenge.title}\n{challenge.problem}\n{challenge.solution}"
                    ),
                },
            )
        )
    text_lines = document.body.split("\n") if document.months or document.weeks else []
    for month in document.months:
        items.append(
            ExtractedItem(
                kind="month",
                key=f"month:{month.number}",
                title=f"Month {month.number}: {month.title}",
                data={
                    "number": month.number,
                    "title": month.title,
                    "entries": month.entries,
                    "milestones": month.milestones,
                },
                **_whereabouts(month, text_lines),
            )
        )
    for week in document.weeks:
        items.append(
            ExtractedItem(
                kind="week",
                key=f"week:{week.number}",
                title=f"Week {week.number}: {week.title}",
                data={"number": week.number, "title": week.title, "entries": week.entries},
                **_whereabouts(week, text_lines),
            )
        )
    return items


def _whereabouts(log: MonthLog, text_lines: list[str]) -> dict[str, Any]:
    if log.end_line <= log.start_line:
        return {}
    return {
        "source_lines": (log.start_line, log.end_line),
        "source_text": "\n".join(text_lines[log.start_line : log.end_line]),
    }
