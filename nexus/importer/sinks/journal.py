"""The journal sink: months and weeks of a learning journal become private worklog entries of
the importing learner, one entry per month or week. Writes only through nexus.journal.services.

Dates (journals give month and week numbers, not dates):
- a learner in a cohort: month N is the first day of the Nth month from the cohort's start
  (start + N-1 months), week N is start + 7*(N-1) days;
- otherwise the months are counted back from the import date: with M the highest month number
  among the items written, month N is the first day of the month M-N months before this one
  (the last month is the current one); weeks likewise, W-N weeks before today.
A re-imported entry keeps the date it was given. A date the journal refuses (in the future, before
the cohort's start) makes the item "skipped" with the service's reason.
"""

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from nexus.accounts.models import User
from nexus.core import clock
from nexus.importer.items import ExtractedItem, FileContext, provenance
from nexus.importer.parsing import technologies as known
from nexus.importer.sinks.base import Ledger, Outcome, register
from nexus.importer.sinks.challenges import _marker
from nexus.importer.sinks.knowledge import EDITED_SINCE, TechnologyIndex
from nexus.journal import selectors as journal_selectors
from nexus.journal import services as journal
from nexus.journal.models import Entry, Visibility
from nexus.knowledge.models import Technology

MAX_TOPICS = 10
# How an entry got its date, as the report names it.
BY_COHORT_START = "cohort start"
BY_IMPORT_DATE = "counted back from the import date"
KEPT = "kept from the first import"
MILESTONE_NUMBER = re.compile(r"milestone\s*#?\s*(\d+)", re.IGNORECASE)


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
        index = TechnologyIndex(Technology.objects.all())
        cohort = journal_selectors.cohort_of(learner=owner)
        today = clock.today()
        highest = {
            kind: max((int(i.data["number"]) for i in items if i.kind == kind), default=1)
            for kind in self.kinds
        }
        milestones = self._program_milestones(owner, cohort)
        outcomes = []
        for item in items:
            number = int(item.data["number"])
            rule = BY_COHORT_START if cohort is not None else BY_IMPORT_DATE
            if cohort is not None:
                start = cohort.start_date
                day = (
                    _add_months(start.replace(day=1), number - 1)
                    if item.kind == "month"
                    else start + dt.timedelta(days=7 * (number - 1))
                )
                if item.kind == "month" and number == 1:
                    day = start
            elif item.kind == "month":
                day = _add_months(today.replace(day=1), number - highest["month"])
            else:
                day = today - dt.timedelta(days=7 * (highest["week"] - number))
            outcome = self._entry(owner, context, item, ledger, index, day, milestones)
            # An entry written before keeps its date (its slug); a refused one shows the date tried.
            kept = outcome.action in ("updated", "skipped") and bool(outcome.target_slug)
            outcome.details = {
                "date": outcome.target_slug or day.isoformat(),
                "dated_by": KEPT if kept else rule,
            }
            outcomes.append(outcome)
        return outcomes

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

    def _entry(
        self,
        owner: User,
        context: FileContext,
        item: ExtractedItem,
        ledger: Ledger,
        index: TechnologyIndex,
        day: dt.date,
        milestones: list[Any] | None,
    ) -> Outcome:
        body = self._body(context, item)
        entries_text = " ".join(item.data.get("entries") or [])
        topics = index.slugs(known.scan(f"{item.title} {entries_text}"))[:MAX_TOPICS]
        note = self._milestone_note(owner, item, milestones)
        previous = ledger.previous(item)
        entry = None
        if previous is not None and previous.target_id:
            entry = journal_selectors.entry_get(viewer=owner, entry_id=previous.target_id)
        try:
            if entry is not None and previous is not None:
                if _entry_marker(entry) != previous.target_version:
                    return _done(
                        item, "skipped", entry, version=previous.target_version, reason=EDITED_SINCE
                    )
                entry = journal.entry_update(entry=entry, actor=owner, body=body, topics=topics)
                return _done(item, "updated", entry, version=_entry_marker(entry), reason=note)
            entry = journal.entry_create(
                author=owner,
                date=day,
                body=body,
                visibility=Visibility.PRIVATE,
                topics=topics,
            )
        except ValidationError as exc:
            reasons = "; ".join(" ".join(errors) for errors in exc.message_dict.values())
            return Outcome(
                item=item,
                action="skipped",
                reason=f"refused by the journal for {day:%Y-%m-%d}: {reasons}"[:500],
            )
        return _done(item, "created", entry, version=_entry_marker(entry), reason=note)


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
