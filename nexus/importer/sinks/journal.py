"""The journal sink: months and weeks of a learning journal become private worklog entries of
the importing learner, one entry per month or week. Writes only through nexus.journal.services.

A new entry's date comes from the first of these rules that gives one, not after today (a date
in the future falls through to the next rule):
1. git history: in a git repository, the day the section was written, i.e. the earliest author
   time among the commits that first brought its lines (heading and body, blank lines aside).
   A section with a line older than the clone's history (a shallow boundary) has no such date;
2. a date in the text: the first date of the section's heading, else the earliest of its body
   (parsing/dates.py); a month takes the first day of that month, a week the day itself;
3. a learner in a cohort: month N is the first day of the Nth month from the cohort's start
   (start + N-1 months; month 1 is the start itself), week N is start + 7*(N-1) days;
4. counted back from the import date: with M the highest month number among the items written,
   month N is the first day of the month M-N months before this one (the last month is the
   current one); weeks likewise, W-N weeks before today.
A re-imported entry keeps the date it was given. A date the journal refuses (before the cohort's
start, say: a journal kept before joining) makes the item "skipped" with the service's reason,
the date and the rule that gave it; the report names the rule of every entry (`dated_by`).
"""

import datetime as dt
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from nexus.accounts.models import User
from nexus.core import clock
from nexus.importer.items import ExtractedItem, FileContext, provenance
from nexus.importer.parsing import technologies as known
from nexus.importer.parsing.dates import first_written_date
from nexus.importer.sinks.base import Ledger, Outcome, per_import, register
from nexus.importer.sinks.challenges import _marker
from nexus.importer.sinks.knowledge import EDITED_SINCE, technology_index
from nexus.importer.sources.base import LineOrigin
from nexus.journal import selectors as journal_selectors
from nexus.journal import services as journal
from nexus.journal.models import Entry, Visibility

MAX_TOPICS = 10
# How an entry got its date, as the report names it.
BY_GIT_HISTORY = "git history"
BY_TEXT = "date in the text"
BY_COHORT_START = "cohort start"
BY_IMPORT_DATE = "counted back from the import date"
KEPT = "kept from the first import"
MILESTONE_NUMBER = re.compile(r"milestone\s*#?\s*(\d+)", re.IGNORECASE)
# Lines the parsed text may lack before a section (front matter, HTML comments) are found by
# looking this far past where the section stands in it.
LINE_SLACK = 40


@dataclass(frozen=True)
class Dating:
    day: dt.date
    rule: str


def _same(text: str) -> str:
    return " ".join(text.split())


def _written(origins: Sequence[LineOrigin], start: int, section: list[str]) -> dt.datetime | None:
    """When a section was written: the earliest first-commit time of its lines in the file.

    The section's lines are those of the parsed text, which only loses lines of the file (front
    matter, comments) and rewrites a few (pasted bullets): its first line found at or after
    `start` anchors it, and a diff against the file's lines from there maps the rest."""
    texts = [_same(line) for line in section]
    anchor = None
    for offset, text in enumerate(texts):
        if not text:
            continue
        anchor = next(
            (i for i in range(start + offset, len(origins)) if _same(origins[i].text) == text),
            None,
        )
        if anchor is not None:
            anchor -= offset
            break
    if anchor is None:
        return None
    window = origins[max(anchor, 0) : anchor + len(section) + LINE_SLACK]
    matcher = difflib.SequenceMatcher(
        None, texts, [_same(origin.text) for origin in window], autojunk=False
    )
    found: list[LineOrigin] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            found += [origin for origin in window[j1:j2] if _same(origin.text)]
    times = [origin.written for origin in found]
    if not times or None in times:
        return None  # nothing found, or a line older than the clone's history
    return min(time for time in times if time is not None)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _entry_marker(entry: Entry) -> int:
    return _marker(entry.date.isoformat(), entry.body, entry.visibility)


class JournalSink:
    kinds: tuple[str, ...] = ("month", "week")

    def write(
        self, *, owner: User, context: FileContext, items: list[ExtractedItem], ledger: Ledger
    ) -> list[Outcome]:
        index = technology_index()
        cohort = per_import(
            ("cohort", owner.pk), lambda: journal_selectors.cohort_of(learner=owner)
        )
        today = clock.today()
        highest = {
            kind: max((int(i.data["number"]) for i in items if i.kind == kind), default=1)
            for kind in self.kinds
        }
        milestones = self._program_milestones(owner, cohort)
        outcomes: list[Outcome | None] = []
        # Position in `outcomes`, item, draft, how it was dated, the milestone note.
        new: list[tuple[int, ExtractedItem, journal.EntryDraft, Dating, str]] = []
        for item in items:
            body = self._body(context, item)
            entries_text = " ".join(item.data.get("entries") or [])
            topics = index.slugs(known.scan(f"{item.title} {entries_text}"))[:MAX_TOPICS]
            note = self._milestone_note(owner, item, milestones)
            outcome = self._written_before(owner, item, ledger, body, topics, note)
            if outcome is not None:  # an entry written before keeps its date (its slug)
                outcome.details = {"date": outcome.target_slug, "dated_by": KEPT}
                outcomes.append(outcome)
                continue
            # Dated only when a new entry is written: blame runs for nothing else.
            dated = _dating(item, context, cohort, today, highest)
            draft = journal.EntryDraft(
                date=dated.day, body=body, visibility=Visibility.PRIVATE, topics=topics
            )
            new.append((len(outcomes), item, draft, dated, note))
            outcomes.append(None)
        drafts = [draft for _position, _item, draft, _dated, _note in new]
        written = journal.entries_create(author=owner, drafts=drafts)
        for (position, item, _draft, dated, note), entry in zip(new, written, strict=True):
            if isinstance(entry, ValidationError):
                # A true date can still be refused (a journal kept before joining the cohort):
                # the report says which date, from which rule, and why.
                reason = f"refused by the journal for {dated.day:%Y-%m-%d} ({dated.rule}): "
                outcome = Outcome(item=item, action="skipped", reason=reason + _refusal(entry))
            else:
                outcome = _done(item, "created", entry, version=_entry_marker(entry), reason=note)
            outcome.details = {"date": dated.day.isoformat(), "dated_by": dated.rule}
            outcomes[position] = outcome
        return [outcome for outcome in outcomes if outcome is not None]

    def _program_milestones(self, owner: User, cohort: Any) -> list[Any] | None:
        program = cohort.program if cohort is not None else journal_selectors.default_program()
        if program is None:
            return None
        return list(journal_selectors.milestone_list().filter(program=program))

    def _milestone_note(
        self, owner: User, item: ExtractedItem, milestones: list[Any] | None
    ) -> str:
        found = item.data.get("milestones") or []
        if not found:
            return ""
        if milestones is None:
            return "milestones recognised only (no program in Nexus): " + "; ".join(found)
        progress = {
            row.milestone_id: row.get_status_display()
            for row in journal_selectors.progress_list(viewer=owner).filter(learner=owner)
        }
        notes = []
        for text in found:
            match = MILESTONE_NUMBER.search(text)
            number = int(match.group(1)) if match else None
            milestone = next(
                (m for m in milestones if m.number == number or m.title.lower() in text.lower()),
                None,
            )
            if milestone is None:
                notes.append(f"“{text}” recognised only (no such program milestone)")
            else:
                status = progress.get(milestone.pk, "not started")
                notes.append(
                    f"“{text}” is program milestone {milestone.number} “{milestone.title}” "
                    f"(your progress: {status.lower()})"
                )
        return "milestones: " + "; ".join(notes)

    def _body(self, context: FileContext, item: ExtractedItem) -> str:
        lines = [f"## {item.title}", ""]
        lines += [f"- {entry}" for entry in item.data.get("entries") or []]
        if item.data.get("milestones"):
            lines += ["", "**Milestones**", ""]
            lines += [f"- {milestone}" for milestone in item.data["milestones"]]
        lines += ["", provenance(context), ""]
        return "\n".join(lines)

    def _written_before(
        self,
        owner: User,
        item: ExtractedItem,
        ledger: Ledger,
        body: str,
        topics: list[str],
        note: str,
    ) -> Outcome | None:
        """The entry an earlier import wrote, updated or left as the learner edited it; None
        when there is none (it is new, or was deleted)."""
        previous = ledger.previous(item)
        if previous is None or not previous.target_id:
            return None
        entry = journal_selectors.entry_get(viewer=owner, entry_id=previous.target_id)
        if entry is None:
            return None
        if _entry_marker(entry) != previous.target_version:
            version = previous.target_version
            return _done(item, "skipped", entry, version=version, reason=EDITED_SINCE)
        try:
            entry = journal.entry_update(entry=entry, actor=owner, body=body, topics=topics)
        except ValidationError as exc:
            return Outcome(item, "skipped", _refusal(exc), target_slug=entry.date.isoformat())
        return _done(item, "updated", entry, version=_entry_marker(entry), reason=note)


def _refusal(exc: ValidationError) -> str:
    return "; ".join(" ".join(errors) for errors in exc.message_dict.values())[:400]


def _dating(
    item: ExtractedItem,
    context: FileContext,
    cohort: Any,
    today: dt.date,
    highest: dict[str, int],
) -> Dating:
    """The first rule that dates the item on or before today (see the module's docstring)."""
    rules: list[tuple[str, Callable[[], dt.date | None]]] = [
        (BY_GIT_HISTORY, lambda: _git_date(item, context)),
        (BY_TEXT, lambda: _text_date(item)),
        (BY_COHORT_START, lambda: _cohort_date(item, cohort)),
    ]
    for rule, find in rules:
        day = find()
        if day is not None and day <= today:
            return Dating(day, rule)
    number = int(item.data["number"])
    if item.kind == "month":
        day = _add_months(today.replace(day=1), number - highest["month"])
    else:
        day = today - dt.timedelta(days=7 * (highest["week"] - number))
    return Dating(day, BY_IMPORT_DATE)


def _git_date(item: ExtractedItem, context: FileContext) -> dt.date | None:
    if context.history is None or item.source_lines is None:
        return None
    origins = context.history.lines()
    if not origins:
        return None
    written = _written(origins, item.source_lines[0], item.source_text.split("\n"))
    return written.date() if written is not None else None


def _text_date(item: ExtractedItem) -> dt.date | None:
    heading, _, body = item.source_text.partition("\n")
    written = first_written_date(heading or item.title, body)
    if written is None:
        return None
    return written.day.replace(day=1) if item.kind == "month" else written.day


def _cohort_date(item: ExtractedItem, cohort: Any) -> dt.date | None:
    if cohort is None:
        return None
    start: dt.date = cohort.start_date
    number = int(item.data["number"])
    if item.kind == "week":
        return start + dt.timedelta(days=7 * (number - 1))
    return start if number == 1 else _add_months(start.replace(day=1), number - 1)


def _done(
    item: ExtractedItem, action: str, entry: Entry, *, version: int | None, reason: str = ""
) -> Outcome:
    return Outcome(
        item=item,
        action=action,
        reason=reason,
        target_kind="journal_entry",
        target_id=entry.pk,
        target_slug=entry.date.isoformat(),
        target_version=version,
        url=reverse("journal:entry", args=[entry.pk]),
    )


register(JournalSink())
