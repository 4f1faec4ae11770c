"""What a sink is, and the registry each sink module adds itself to by item kind."""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


# What `per_import` worked out in the current `one_import()` block, or None outside one.
_import_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("import_memo", default=None)


@contextmanager
def one_import() -> Iterator[None]:
    """Inside this block (the files of one import), what is the same for every file is worked out
    once (`per_import`) rather than by every sink for every file. Only reads of what an import
    never writes belong there (technologies, the review gate, the learner's cohort), so the
    first file's answer holds for all of them."""
    token = _import_memo.set({})
    try:
        yield
    finally:
        _import_memo.reset(token)


def per_import[T](key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per import for `key` inside `one_import()`, every time outside one."""
    memo = _import_memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    result: T = memo[key]
    return result
