"""What a sink is, and the registry each sink module adds itself to by item kind."""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

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


@dataclass(eq=False)
class Pending:
    """A new item a sink creates later, with the new items of other files (`Outcome` once made)."""

    item: ExtractedItem
    draft: Any
    context: FileContext
    outcome: Outcome | None = None


@dataclass
class Plan:
    """What a sink decided for one file's items without creating anything: the outcomes known now,
    the items it creates together with other files' (`new`), and items that become what another
    new item becomes (`follows`: a concept named again links to the first one's stub)."""

    outcomes: list[Outcome] = field(default_factory=list)
    new: list[Pending] = field(default_factory=list)
    follows: list[tuple[ExtractedItem, Pending]] = field(default_factory=list)


class ChunkConflict(Exception):
    """Writing a chunk of files together would give another result than one file at a time (an
    item follows another file's new item, which was refused): the chunk is written file by file."""


@runtime_checkable
class BatchSink(Sink, Protocol):
    """A sink that creates several files' new items in one set of bulk statements: `plan` each
    file (`state` is shared by the chunk's files, from `chunk_state`), `create` every file's new
    items at once, then `finish` each file's plan: the outcomes of its new and following items."""

    def chunk_state(self, items: list[ExtractedItem]) -> Any: ...

    def plan(
        self,
        *,
        owner: User,
        context: FileContext,
        items: list[ExtractedItem],
        ledger: Ledger,
        state: Any,
    ) -> Plan: ...

    def create(self, *, owner: User, pending: list[Pending]) -> None: ...

    def finish(self, plan: Plan, *, context: FileContext) -> list[Outcome]: ...


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
