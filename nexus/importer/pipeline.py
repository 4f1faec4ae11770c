"""Running an import: each file parsed, its items written by their sinks, in its own transaction.

Idempotency: a file whose bytes hash as last time is skipped whole; in a changed file, an item whose
hash is unchanged is skipped; a changed item updates its target unless someone edited it since.
"""

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from nexus.accounts.models import User
from nexus.core import clock, events, metrics
from nexus.core.collector import fewer_collections
from nexus.importer.items import ExtractedItem, FileContext, items_for
from nexus.importer.models import ImportedItem
from nexus.importer.parsing import BinaryContentError, ParsedDocument, parse_document
from nexus.importer.sinks import PENDING, Outcome, sink_for
from nexus.importer.sinks import journal as journal_sink
from nexus.importer.sinks.base import BatchSink, ChunkConflict, Pending, Plan, one_import
from nexus.importer.sources import Source, SourceFile

logger = logging.getLogger(__name__)

FILE_KEY = "file"
# How many files' new items are written in one set of bulk statements (a chunk).
CHUNK_FILES = 16
SAME_ITEM = "imported before from another source"
# What an item became that the ledger records (a target to find it by next time).
RECORDED = ("created", "updated", "matched", "linked")
ACTIONS = (
    "created",
    "updated",
    "unchanged",
    "matched",
    "unmatched",
    "linked",
    "pending",
    "skipped",
    "failed",
)


@dataclass(frozen=True)
class ImportProgress:
    """Where a running import is. Items are counted once every file has been read (parsed), so
    the total is known before the first item is written; until then items_total is 0."""

    files_done: int
    files_total: int
    items_done: int
    items_total: int
    path: str


Progress = Callable[[ImportProgress], None]
LEDGER_FIELDS = (
    "content_hash",
    "identity",
    "target_kind",
    "target_id",
    "target_slug",
    "target_version",
)


@dataclass
class FileReport:
    path: str
    status: str  # imported, unchanged, skipped, failed
    reason: str = ""
    journal: bool = False
    recognised: dict[str, int] = field(default_factory=dict)
    sections: list[tuple[str, str]] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class FileLedger:
    """The ImportedItem rows of one (owner, source, path), read once; and, by identity, the rows
    another route to the same content wrote."""

    def __init__(
        self, owner: User, context: FileContext, rows: list[ImportedItem] | None = None
    ) -> None:
        self.owner = owner
        self.context = context
        if rows is None:
            rows = list(
                ImportedItem.objects.filter(
                    owner=owner, source=context.source_key, path=context.path
                )
            )
        self.rows = {row.item_key: row for row in rows}
        self.elsewhere: dict[str, ImportedItem] = {}
        self.recorded: dict[str, ImportedItem] = {}

    def previous(self, item: ExtractedItem) -> ImportedItem | None:
        return self.rows.get(item.key)

    def record(
        self, item: ExtractedItem | None, key: str, content_hash: str, **target: Any
    ) -> None:
        """Note what an item (or the file, with no item) became; written by `save`."""
        now = clock.now()
        self.recorded[key] = ImportedItem(
            owner=self.owner,
            source=self.context.source_key,
            path=self.context.path,
            item_key=key,
            content_hash=content_hash,
            identity=item.identity if item is not None else "",
            **{"target_kind": "file", **target},
            created_at=now,
            updated_at=now,
        )


def _target(outcome: Outcome | ImportedItem) -> dict[str, Any]:
    return {
        "target_kind": outcome.target_kind,
        "target_id": outcome.target_id,
        "target_slug": outcome.target_slug,
        "target_version": outcome.target_version,
    }


def _item_row(outcome: Outcome) -> dict[str, Any]:
    return {
        "kind": outcome.item.kind,
        "key": outcome.item.key,
        "title": outcome.item.title,
        "action": outcome.action,
        "reason": outcome.reason,
        "url": outcome.url,
        "data": outcome.item.data if outcome.action == "pending" else {},
        "details": _details(outcome),
    }


def _details(outcome: Outcome) -> dict[str, Any]:
    """What was extracted beyond the title, so a dry run shows what the parser understood."""
    kind, data = outcome.item.kind, outcome.item.data
    if kind == "technology":
        return {"category": data.get("category", "")}
    if kind == "challenge":
        solution = str(data.get("solution") or "").strip()
        return {"has_solution": bool(solution), "solution": solution}
    if kind in ("month", "week"):
        number = data["number"]
        # An unchanged period did not reach its sink: it keeps the date its entry has.
        dating = outcome.details or {"date": outcome.target_slug, "dated_by": journal_sink.KEPT}
        milestones = [
            {"title": text, kind: number, **dating} for text in data.get("milestones") or []
        ]
        return {kind: number, "milestones": milestones, **dating}
    return dict(outcome.details)


def _recorded(outcome: Outcome) -> bool:
    return outcome.action in RECORDED


@dataclass
class FilePlan:
    """One file of a chunk, planned: its outcomes known so far, what each batch sink planned, and
    items that are another file's new item of the chunk (same identity), known once it is made."""

    read: "ReadFile"
    ledger: FileLedger
    outcomes: list[Outcome] = field(default_factory=list)
    plans: list[tuple[BatchSink, Plan]] = field(default_factory=list)
    same_as: list[tuple[ExtractedItem, Pending]] = field(default_factory=list)


def _write_chunk(owner: User, reads: list["ReadFile"]) -> list[list[Outcome]]:
    """Write the items of several read files with one set of bulk statements per sink (and one
    ledger upsert), giving each file the outcomes it gets when written alone, in file order: an
    item that another route, or an earlier file of the chunk, wrote is unchanged; a concept an
    earlier file names links to its stub. Raises ChunkConflict when that cannot hold."""
    ledgers = []
    for read in reads:
        assert read.context is not None
        ledgers.append(FileLedger(owner, read.context, read.ledger_rows))
    _look_elsewhere(owner, ledgers, [read.items for read in reads])
    # Identity -> (position of the file, what it became) for the chunk's items, first one kept.
    recorded: dict[str, tuple[int, ImportedItem]] = {}
    waiting: dict[str, tuple[int, Pending]] = {}
    states: dict[int, Any] = {}
    files: list[FilePlan] = []
    for position, (read, ledger) in enumerate(zip(reads, ledgers, strict=True)):
        context = read.context
        assert context is not None
        file = FilePlan(read, ledger)
        files.append(file)
        by_sink: dict[int, tuple[Any, list[ExtractedItem]]] = {}
        for item in read.items:
            previous = ledger.previous(item)
            if previous is not None and previous.content_hash == item.content_hash:
                file.outcomes.append(
                    Outcome(item=item, action="unchanged", target_slug=previous.target_slug)
                )
                continue
            if previous is None:
                same = ledger.elsewhere.get(item.identity)
                earlier = recorded.get(item.identity)
                if same is None and earlier is not None and earlier[0] < position:
                    same = earlier[1]
                if same is not None:
                    # Imported before by another route (a file, now in a folder or a zip), or
                    # by an earlier file of this import: the same item.
                    file.outcomes.append(_same_item(item, same.target_slug))
                    ledger.record(item, item.key, item.content_hash, **_target(same))
                    continue
                waits = waiting.get(item.identity)
                if waits is not None and waits[0] < position:
                    file.same_as.append((item, waits[1]))
                    continue
            sink = sink_for(item.kind)
            if sink is None:
                outcome = Outcome(item=item, action="pending", reason=PENDING.get(item.kind, ""))
                file.outcomes.append(outcome)
                continue
            by_sink.setdefault(id(sink), (sink, []))[1].append(item)
        for sink_id, (sink, sink_items) in by_sink.items():
            if isinstance(sink, BatchSink):
                if sink_id not in states:
                    states[sink_id] = sink.chunk_state(_chunk_items(reads, sink.kinds))
                plan = sink.plan(
                    owner=owner,
                    context=context,
                    items=sink_items,
                    ledger=ledger,
                    state=states[sink_id],
                )
                file.plans.append((sink, plan))
                file.outcomes += plan.outcomes
                for pending in plan.new:
                    waiting.setdefault(pending.item.identity, (position, pending))
                for follower, _stub in plan.follows:
                    # Alone, a later file would find this one's link: too rare to mirror here.
                    unmade = Pending(item=follower, draft=None, context=context)
                    waiting.setdefault(follower.identity, (position, unmade))
            else:
                file.outcomes += sink.write(
                    owner=owner, context=context, items=sink_items, ledger=ledger
                )
        for outcome in file.outcomes:
            if _recorded(outcome):
                ledger.record(
                    outcome.item, outcome.item.key, outcome.item.content_hash, **_target(outcome)
                )
        for row in ledger.recorded.values():
            if row.identity:
                recorded.setdefault(row.identity, (position, row))
    _create_together(owner, files)
    results = []
    for file in files:
        later: list[Outcome] = []
        for sink, plan in file.plans:
            later += sink.finish(plan, context=file.ledger.context)
        for item, pending in file.same_as:
            made = pending.outcome
            if made is None or not _recorded(made):
                # Alone, this file would have written the item itself.
                raise ChunkConflict(f"{item.key} follows another file's item, not written")
            later.append(_same_item(item, made.target_slug))
            file.ledger.record(item, item.key, item.content_hash, **_target(made))
        for outcome in later:
            if _recorded(outcome):
                item = outcome.item
                file.ledger.record(item, item.key, item.content_hash, **_target(outcome))
        file.ledger.record(None, FILE_KEY, file.read.file_hash)
        order = {item.key: position for position, item in enumerate(file.read.items)}
        outcomes = file.outcomes + later
        outcomes.sort(key=lambda outcome: order.get(outcome.item.key, 0))
        results.append(outcomes)
    _save_ledgers([file.ledger for file in files])
    return results


def _same_item(item: ExtractedItem, target_slug: str) -> Outcome:
    return Outcome(item=item, action="unchanged", reason=SAME_ITEM, target_slug=target_slug)


def _chunk_items(reads: list["ReadFile"], kinds: tuple[str, ...]) -> list[ExtractedItem]:
    return [item for read in reads for item in read.items if item.kind in kinds]


def _look_elsewhere(
    owner: User, ledgers: list[FileLedger], items: list[list[ExtractedItem]]
) -> None:
    """One query for the items the chunk's files have not written by their route: the same
    identity, any route (the oldest row kept)."""
    wanted = {
        item.identity
        for ledger, file_items in zip(ledgers, items, strict=True)
        for item in file_items
        if item.key not in ledger.rows
    }
    if not wanted:
        return
    found = ImportedItem.objects.filter(owner=owner, identity__in=wanted).exclude(
        target_kind="file"
    )
    for row in found.order_by("pk"):
        for ledger in ledgers:
            ledger.elsewhere.setdefault(row.identity, row)


def _create_together(owner: User, files: list[FilePlan]) -> None:
    """Each batch sink creates the new items of every file of the chunk in one call."""
    pending: dict[int, tuple[BatchSink, list[Pending]]] = {}
    for file in files:
        for sink, plan in file.plans:
            pending.setdefault(id(sink), (sink, []))[1].extend(plan.new)
    for sink, new in pending.values():
        sink.create(owner=owner, pending=new)


def _save_ledgers(ledgers: list[FileLedger]) -> None:
    """Every recorded row of the chunk's files in one statement: new ones inserted, known ones
    updated."""
    rows = [row for ledger in ledgers for row in ledger.recorded.values()]
    ImportedItem.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["owner", "source", "path", "item_key"],
        update_fields=[*LEDGER_FIELDS, "updated_at"],
    )
    for ledger in ledgers:
        ledger.recorded.clear()


@dataclass
class ReadFile:
    """A file read and parsed, its items extracted, nothing written yet; or, in `report`, what
    was decided without writing (skipped, unchanged, failed)."""

    file: SourceFile
    report: FileReport | None = None
    context: FileContext | None = None
    document: ParsedDocument | None = None
    items: list[ExtractedItem] = field(default_factory=list)
    file_hash: str = ""
    # The file's ledger rows as read with the whole source's (None: the writer reads them).
    ledger_rows: list[ImportedItem] | None = None

    @property
    def item_count(self) -> int:
        if self.report is not None:
            return sum(self.report.counts.values())
        return len(self.items)


def source_ledger(*, owner: User, source: Source) -> dict[str, list[ImportedItem]] | None:
    """Every ledger row of this route, by path, in one query (rather than two per file); None
    when two files share a path, as each must then see what the other wrote."""
    paths = [file.path for file in source.files]
    if len(set(paths)) != len(paths):
        return None
    rows: dict[str, list[ImportedItem]] = {path: [] for path in paths}
    # By route only: a path list as large as a big zip's would pass SQLite's parameter limit.
    for row in ImportedItem.objects.filter(owner=owner, source=source.key):
        if row.path in rows:
            rows[row.path].append(row)
    return rows


def read_file(
    *,
    owner: User,
    source: Source,
    file: SourceFile,
    ledger: dict[str, list[ImportedItem]] | None = None,
) -> ReadFile:
    """The cheap half of an import: skip, recognise an unchanged file, or parse and extract.
    `ledger` is the route's rows by path (`source_ledger`), read here when not given."""
    if file.skip_reason:
        return ReadFile(file, FileReport(path=file.path, status="skipped", reason=file.skip_reason))
    context = FileContext(
        source_key=source.key,
        source_label=source.label,
        source_kind=source.kind,
        path=file.path,
        repository=source.repository,
        commit=source.commit,
        history=file.history,
    )
    file_hash = hashlib.sha256(file.data).hexdigest()
    rows = ledger.get(file.path) if ledger is not None else None
    if rows is None:
        known = ImportedItem.objects.filter(
            owner=owner, source=source.key, path=file.path, item_key=FILE_KEY
        ).first()
    else:
        known = next((row for row in rows if row.item_key == FILE_KEY), None)
    if known is not None and known.content_hash == file_hash:
        if rows is None:
            unchanged = (
                ImportedItem.objects.filter(owner=owner, source=source.key, path=file.path)
                .exclude(item_key=FILE_KEY)
                .count()
            )
        else:
            unchanged = sum(row.item_key != FILE_KEY for row in rows)
        report = FileReport(path=file.path, status="unchanged", counts={"unchanged": unchanged})
        return ReadFile(file, report)
    try:
        document = parse_document(file.data, path=file.path)
    except BinaryContentError:
        return ReadFile(file, FileReport(path=file.path, status="skipped", reason="binary file"))
    items = items_for(document, context)
    return ReadFile(file, None, context, document, items, file_hash, rows)


def write_file(*, owner: User, read: ReadFile, dry_run: bool = False) -> FileReport:
    """Write a read file's items in one transaction (rolled back for a dry run)."""
    if read.report is not None:
        return read.report
    with transaction.atomic():
        (outcomes,) = _write_chunk(owner, [read])
        if dry_run:
            transaction.set_rollback(True)
    return _file_report(read, outcomes)


def write_files(*, owner: User, reads: list[ReadFile]) -> list[FileReport]:
    """Write several read files' items in one transaction and one set of bulk statements; when
    that fails, each file in its own (so only a bad file is reported failed, and the others land).
    Two files of one path (no route ledger) are written one at a time: each sees the other's."""
    waiting = [read for read in reads if read.report is None]
    written: dict[int, FileReport] = {}
    if len(waiting) > 1 and all(read.ledger_rows is not None for read in waiting):
        try:
            with transaction.atomic():
                outcomes = _write_chunk(owner, waiting)
        except Exception as exc:  # the chunk is written again one file at a time
            logger.info(
                "writing %d files together failed (%s); one at a time",
                len(waiting),
                type(exc).__name__,
            )
        else:
            for read, file_outcomes in zip(waiting, outcomes, strict=True):
                written[id(read)] = _file_report(read, file_outcomes)
    reports = []
    for read in reads:
        report = written.get(id(read))
        if report is None:
            report = _write_alone(owner, read, dry_run=False)
        reports.append(report)
    return reports


def _file_report(read: ReadFile, outcomes: list[Outcome]) -> FileReport:
    assert read.document is not None
    document = read.document
    report = FileReport(
        path=read.file.path,
        status="imported",
        journal=document.is_journal,
        recognised=document.recognised(),
        sections=document.sections,
        repairs=document.repairs,
    )
    report.items = [_item_row(outcome) for outcome in outcomes]
    for outcome in outcomes:
        report.counts[outcome.action] = report.counts.get(outcome.action, 0) + 1
    return report


def import_file(
    *, owner: User, source: Source, file: SourceFile, dry_run: bool = False
) -> FileReport:
    """Import one file in its own transaction (rolled back for a dry run)."""
    read = read_file(owner=owner, source=source, file=file)
    return write_file(owner=owner, read=read, dry_run=dry_run)


def _chunks(read: list[ReadFile], size: int) -> Iterator[tuple[int, list[ReadFile]]]:
    """The files in chunks of `size`, the first ones smaller (1, 2, 4, ...) so that progress
    moves from the first file on; with each chunk, its first file's position."""
    first, step = 0, 1
    while first < len(read):
        yield first, read[first : first + step]
        first += step
        step = min(step * 2, size)


def _write_alone(owner: User, read: ReadFile, *, dry_run: bool) -> FileReport:
    try:
        return write_file(owner=owner, read=read, dry_run=dry_run)
    except Exception as exc:  # one bad file must not stop the others
        return _failed(read.file, exc)


def _failed(file: SourceFile, exc: Exception) -> FileReport:
    logger.exception("import of %s failed", file.path)
    return FileReport(path=file.path, status="failed", reason=_reason(exc))


@fewer_collections()
def run_import(
    *, owner: User, source: Source, dry_run: bool = False, progress: Progress | None = None
) -> dict[str, Any]:
    """Import every file of an opened source; one failing file is reported, the rest go on.

    Every file is read first, so progress is counted in items from the first one written. The
    garbage collector runs less often meanwhile (`fewer_collections`: a quarter of the CPU time
    otherwise)."""
    total = len(source.files)
    notify = progress or (lambda update: None)
    read: list[ReadFile] = []
    ledger = source_ledger(owner=owner, source=source)
    for file in source.files:
        try:
            read.append(read_file(owner=owner, source=source, file=file, ledger=ledger))
        except Exception as exc:  # one bad file must not stop the others
            read.append(ReadFile(file, _failed(file, exc)))
        notify(ImportProgress(0, total, 0, 0, file.path))
    items_total = sum(each.item_count for each in read)
    notify(ImportProgress(0, total, 0, items_total, ""))
    # Subscribers (search, notifications) take the whole import's events at once, in bulk; what
    # the sinks need from every file (the technology index, the review gate) is read once. Files
    # are written in chunks (`write_files`); a dry run writes and rolls back each file alone, so
    # its report is what each file alone would do.
    with events.batched(), one_import():
        files: list[FileReport] = []
        items_done = 0
        for first, chunk in _chunks(read, 1 if dry_run else CHUNK_FILES):
            if dry_run:
                reports = [_write_alone(owner, chunk[0], dry_run=True)]
            else:
                reports = write_files(owner=owner, reads=chunk)
            files += reports
            for done, each in enumerate(chunk, start=first + 1):
                items_done += each.item_count
                notify(ImportProgress(done, total, items_done, items_total, each.file.path))
    if not dry_run:
        _count_imported(files)
    return build_report(source, files, dry_run=dry_run)


def _count_imported(files: list[FileReport]) -> None:
    """Add an import's files and items to the throughput counters on /metrics."""
    for file in files:
        metrics.imported_files.labels(status=file.status).inc()
        for action, count in file.counts.items():
            metrics.imported_items.labels(action=action).inc(count)


def _reason(exc: Exception) -> str:
    messages = getattr(exc, "message_dict", None)
    if messages:
        return "; ".join(f"{name}: {' '.join(errors)}" for name, errors in messages.items())[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


def build_report(source: Source, files: list[FileReport], *, dry_run: bool) -> dict[str, Any]:
    """The JSON report: totals per action, and per file what was recognised and done."""
    totals = dict.fromkeys(ACTIONS, 0)
    for file in files:
        for action, count in file.counts.items():
            totals[action] = totals.get(action, 0) + count
        if file.status in ("skipped", "failed"):
            totals[file.status] += 1
    statuses = [file.status for file in files]
    return {
        "source": source.label,
        "kind": source.kind,
        "repository": source.repository,
        "commit": source.commit,
        "dry_run": dry_run,
        "files_total": len(files),
        "files": {
            status: statuses.count(status)
            for status in ("imported", "unchanged", "skipped", "failed")
        },
        "totals": totals,
        "file_reports": [
            {
                "path": file.path,
                "status": file.status,
                "reason": file.reason,
                "journal": file.journal,
                "recognised": file.recognised,
                "recognised_text": ", ".join(
                    f"{count} {kind.replace('_', ' ')}"
                    for kind, count in file.recognised.items()
                    if count
                ),
                "sections": [list(pair) for pair in file.sections],
                "repairs": file.repairs,
                "counts": file.counts,
                "items": file.items,
            }
            for file in files
        ],
    }
