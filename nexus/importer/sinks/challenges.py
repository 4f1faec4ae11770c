"""The challenge sink: each Problem/Solution pair becomes a challenge by the importing user with
one accepted solution. Writes only through nexus.challenges.services."""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError

from nexus.accounts.models import User
from nexus.challenges import selectors as challenge_selectors
from nexus.challenges import services as challenges
from nexus.challenges.models import Challenge
from nexus.importer.items import ExtractedItem, FileContext, provenance
from nexus.importer.models import ImportedItem
from nexus.importer.parsing import technologies as known
from nexus.importer.sinks.base import Ledger, Outcome, Pending, Plan, register
from nexus.importer.sinks.knowledge import EDITED_SINCE, TechnologyIndex, technology_index


def _marker(*parts: str) -> int:
    """A version marker for targets without a version column: a hash of what the importer wrote,
    folded into a positive 31-bit integer (so a later edit in Nexus changes it)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _service_reason(exc: Exception) -> str:
    if isinstance(exc, PermissionDenied):
        return "refused by the challenges service: not allowed"
    messages = getattr(exc, "message_dict", None) or {"": getattr(exc, "messages", [str(exc)])}
    text = "; ".join(
        f"{name}: {' '.join(errors)}" if name else " ".join(errors)
        for name, errors in messages.items()
    )
    return f"refused by the challenges service: {text}"[:500]


class ChallengeSink:
    kinds: tuple[str, ...] = ("challenge",)

    def write(
        self, *, owner: User, context: FileContext, items: list[ExtractedItem], ledger: Ledger
    ) -> list[Outcome]:
        plan = self.plan(owner=owner, context=context, items=items, ledger=ledger, state=None)
        self.create(owner=owner, pending=plan.new)
        return plan.outcomes + self.finish(plan, context=context)

    def chunk_state(self, items: list[ExtractedItem]) -> None:
        return None

    def plan(
        self,
        *,
        owner: User,
        context: FileContext,
        items: list[ExtractedItem],
        ledger: Ledger,
        state: None,
    ) -> Plan:
        index = technology_index()
        plan = Plan()
        for item in items:
            draft = self._draft(context, item, index)
            previous = ledger.previous(item)
            challenge = None
            if previous is not None and previous.target_id:
                challenge = challenge_selectors.challenge_get(pk=previous.target_id)
            if challenge is None or previous is None:
                plan.new.append(Pending(item=item, draft=draft, context=context))
            else:
                plan.outcomes.append(self._update(owner, item, draft, challenge, previous))
        return plan

    def create(self, *, owner: User, pending: list[Pending]) -> None:
        """The new challenges of every file given, created together."""
        if not pending:
            return
        try:
            created: list[Challenge | ValidationError] = challenges.challenges_create(
                author=owner, drafts=[each.draft for each in pending]
            )
        except PermissionDenied as exc:
            for each in pending:
                each.outcome = Outcome(
                    item=each.item, action="skipped", reason=_service_reason(exc)
                )
            return
        for each, result in zip(pending, created, strict=True):
            each.outcome = (
                Outcome(item=each.item, action="skipped", reason=_service_reason(result))
                if isinstance(result, ValidationError)
                else _done(each.item, "created", result, version=_current_marker(result))
            )

    def finish(self, plan: Plan, *, context: FileContext) -> list[Outcome]:
        return [each.outcome for each in plan.new if each.outcome is not None]

    def _draft(
        self, context: FileContext, item: ExtractedItem, index: TechnologyIndex
    ) -> challenges.ChallengeDraft:
        problem = (item.data.get("problem") or "").strip()
        names = item.data.get("technologies") or known.scan(f"{item.title} {problem}")
        return challenges.ChallengeDraft(
            title=item.title,
            body=f"{problem or item.title}\n\n{provenance(context)}\n",
            technologies=index.slugs(names)[: challenges.MAX_TECHNOLOGIES],
            solution=(item.data.get("solution") or "").strip(),
        )

    def _update(
        self,
        owner: User,
        item: ExtractedItem,
        draft: challenges.ChallengeDraft,
        challenge: Challenge,
        previous: ImportedItem,
    ) -> Outcome:
        if _current_marker(challenge) != previous.target_version:
            return _done(
                item, "skipped", challenge, version=previous.target_version, reason=EDITED_SINCE
            )
        try:
            challenge = challenges.challenge_update(
                challenge=challenge,
                actor=owner,
                title=draft.title,
                body=draft.body,
                technologies=draft.technologies,
            )
            accepted = challenge.accepted_solution
            if accepted is not None and draft.solution:
                challenges.solution_update(solution=accepted, actor=owner, body=draft.solution)
            elif draft.solution:
                self._answer(owner, challenge, draft.solution)
        except (ValidationError, PermissionDenied) as exc:
            # The service's savepoint rolled its own writes back; the rest of the file goes on.
            return Outcome(item=item, action="skipped", reason=_service_reason(exc))
        challenge = challenge_selectors.challenge_get(pk=challenge.pk) or challenge
        return _done(item, "updated", challenge, version=_current_marker(challenge))

    def _answer(self, owner: User, challenge: Challenge, text: str) -> None:
        solution = challenges.solution_create(challenge=challenge, author=owner, body=text)
        challenges.solution_accept(challenge=challenge, solution=solution, actor=owner)


def _current_marker(challenge: Challenge) -> int:
    accepted = challenge.accepted_solution
    return _marker(challenge.title, challenge.body, accepted.body if accepted else "")


def _done(
    item: ExtractedItem, action: str, challenge: Challenge, *, version: int | None, reason: str = ""
) -> Outcome:
    return Outcome(
        item=item,
        action=action,
        reason=reason,
        target_kind="challenge",
        target_id=challenge.pk,
        target_slug=str(challenge.pk),
        target_version=version,
        url=challenge.get_absolute_url(),
    )


register(ChallengeSink())
