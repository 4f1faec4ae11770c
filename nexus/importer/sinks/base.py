"""What a sink is, and the registry each sink module adds itself to by item kind."""

from dataclasses import dataclass, field
from typing import Any, Protocol

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
    # What a sink decided beyond the action, shown in the report (the journal: date, dating rule).
    details: dict[str, Any] = field(default_factory=dict)


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
