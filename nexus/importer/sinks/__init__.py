"""Sinks: where extracted items go, one per target app, registered by item kind.

A sink receives one file's items of the kinds it handles and writes them through its app's
services. A recognised kind with no sink would be reported as "pending"; every kind the
extractor produces has one now (knowledge, challenges, journal: see docs/importer.md).
"""

from dataclasses import dataclass
from typing import Protocol

from nexus.accounts.models import User
from nexus.importer.items import ExtractedItem, FileContext
from nexus.importer.models import ImportedItem


@dataclass
class Outcome:
    item: ExtractedItem
    action: str  # created, updated, unchanged, skipped, pending
    reason: str = ""
    target_kind: str = ""
    target_id: int | None = None
    target_slug: str = ""
    # The target's version as this import left it; None when the target is not ours to update.
    target_version: int | None = None
    url: str = ""


class Ledger(Protocol):
    def previous(self, item: ExtractedItem) -> ImportedItem | None: ...


class Sink(Protocol):
    kinds: tuple[str, ...]

    def write(
        self, *, owner: User, context: FileContext, items: list[ExtractedItem], ledger: Ledger
    ) -> list[Outcome]: ...


REGISTRY: dict[str, Sink] = {}
PENDING: dict[str, str] = {}


def register(sink: Sink) -> Sink:
    """Make `sink` the writer for each of its kinds."""
    for kind in sink.kinds:
        REGISTRY[kind] = sink
    return sink


def sink_for(kind: str) -> Sink | None:
    _load_builtin_sinks()
    return REGISTRY.get(kind)


def _load_builtin_sinks() -> None:
    from nexus.importer.sinks import challenges, journal, knowledge  # noqa: F401 - register
