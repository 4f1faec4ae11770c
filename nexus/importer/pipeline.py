"""Running an import: each file parsed, its items written by their sinks, in its own transaction.

Idempotency: a file whose bytes hash as last time is skipped whole; in a changed file, an item whose
hash is unchanged is skipped; a changed item updates its target unless someone edited it since.
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from nexus.accounts.models import User
from nexus.core import clock, events, metrics
from nexus.importer.items import ExtractedItem, FileContext, items_for
from nexus.importer.models import ImportedItem
from nexus.importer.parsing import BinaryContentError, ParsedDocument, parse_document
from nexus.importer.sinks import PENDING, Outcome, sink_for
from nexus.importer.sinks import journal as journal_sink
from nexus.importer.sinks.base import one_import
from nexus.importer.sources import Source, SourceFile

logger = logging.getLogger(__name__)

FILE_KEY = "file"
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

    def look_elsewhere(self, items: list[ExtractedItem]) -> None:
        """One query for the items this route has not written: same identity, any route."""
        wanted = [item.identity for item in items if item.key not in self.rows]
        found = ImportedItem.objects.filter(owner=self.owner, identity__in=wanted).exclude(
            target_kind="file"
        )
        for row in found.order_by("pk"):
            self.elsewhere.setdefault(row.identity, row)

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

    def save(self) -> None:
        """Write every recorded row in one statement: new ones inserted, known ones updated."""
        ImportedItem.objects.bulk_create(
            list(self.recorded.values()),
            update_conflicts=True,
            unique_fields=["owner", "source", "path", "item_key"],
            update_fields=[*LEDGER_FIELDS, "updated_at"],
        )
        self.recorded.clear()


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


def _write_items(
    owner: User,
    context: FileContext,
    items: list[ExtractedItem],
    file_hash: str,
    rows: list[ImportedItem] | None = None,
) -> list[Outcome]:
    ledger = FileLedger(owner, context, rows)
    outcomes: list[Outcome] = []
    waiting: dict[int, list[ExtractedItem]] = {}
    sinks: dict[int, Any] = {}
    ledger.look_elsewhere(items)
    for item in items:
        previous = ledger.previous(item)
        if previous is not None and previous.content_hash == item.content_hash:
            outcomes.append(
                Outcome(item=item, action="unchanged", target_slug=previous.target_slug)
            )
            continue
        if previous is None and (same := ledger.elsewhere.get(item.identity)) is not None:
            # Imported before by another route (a file, now in a folder or a zip): the same item.
            ledger.record(item, item.key, item.content_hash, **_target(same))
            outcomes.append(
                Outcome(
                    item=item,
                    action="unchanged",
                    reason="imported before from another source",
                    target_slug=same.target_slug,
                )
            )
            continue
        sink = sink_for(item.kind)
        if sink is None:
            outcomes.append(Outcome(item=item, action="pending", reason=PENDING.get(item.kind, "")))
            continue
        sinks[id(sink)] = sink
        waiting.setdefault(id(sink), []).append(item)
    for sink_id, sink_items in waiting.items():
        for outcome in sinks[sink_id].write(
            owner=owner, context=context, items=sink_items, ledger=ledger
        ):
            outcomes.append(outcome)
            if outcome.action in ("created", "updated", "matched", "linked"):
                item = outcome.item
                ledger.record(item, item.key, item.content_hash, **_target(outcome))
    ledger.record(None, FILE_KEY, file_hash)
    ledger.save()
    order = {item.key: position for position, item in enumerate(items)}
    outcomes.sort(key=lambda outcome: order.get(outcome.item.key, 0))
    return outcomes


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
    assert read.context is not None
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
    with transaction.atomic():
        outcomes = _write_items(owner, read.context, read.items, read.file_hash, read.ledger_rows)
        if dry_run:
            transaction.set_rollback(True)
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


def _failed(file: SourceFile, exc: Exception) -> FileReport:
    logger.exception("import of %s failed", file.path)
    return FileReport(path=file.path, status="failed", reason=_reason(exc))


def run_import(
    *, owner: User, source: Source, dry_run: bool = False, progress: Progress | None = None
) -> dict[str, Any]:
    """Import every file of an opened source; one failing file is reported, the rest go on.

    Every file is read first, so progress is counted in items from the first one written."""
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
    # the sinks need from every file (the technology index, the review gate) is read once.
    with events.batched(), one_import():
        files: list[FileReport] = []
        items_done = 0
        for done, each in enumerate(read, start=1):
            try:
                files.append(write_file(owner=owner, read=each, dry_run=dry_run))
            except Exception as exc:  # one bad file must not stop the others
                files.append(_failed(each.file, exc))
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
