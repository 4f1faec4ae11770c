"""'May be outdated' flags on solutions: set when a linked API operation breaks, cleared only
by a review (editing the body does not clear it)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from nexus.accounts.models import User
from nexus.challenges import policies
from nexus.challenges.models import Solution
from nexus.core import clock, events
from nexus.core.links import breaking_reason, contains_any, linked_paths

REASON_MAX_LENGTH = 300


@transaction.atomic
def solution_flag_outdated(*, solution: Solution, reason: str) -> bool:
    """Flag a solution and tell its author; a no-op (False) if it is already flagged."""
    locked = Solution.objects.select_for_update().get(pk=solution.pk)
    if locked.outdated_since is not None:
        return False
    since, text = clock.now(), reason[:REASON_MAX_LENGTH]
    Solution.objects.filter(pk=locked.pk).update(outdated_since=since, outdated_reason=text)
    solution.outdated_since, solution.outdated_reason = since, text
    events.publish(
        "solution.outdated",
        subject=locked,
        actor=None,
        payload={
            "title": f"Your solution may be outdated: {text}"[:300],
            "url": locked.get_absolute_url(),
            "reason": text,
            "recipient_ids": [locked.author_id],
        },
    )
    return True


@transaction.atomic
def solution_mark_reviewed(*, solution: Solution, actor: User) -> Solution:
    """The author (or a mentor/admin) confirms the solution is still right: clears the flag."""
    if not policies.can_edit_solution(actor, solution):
        raise PermissionDenied("Only the author or a mentor may review this solution.")
    Solution.objects.filter(pk=solution.pk).update(outdated_since=None, outdated_reason="")
    solution.outdated_since, solution.outdated_reason = None, ""
    return solution


def solutions_flag_linking(*, paths: dict[str, str], change: str) -> int:
    """Flag every solution whose body links one of the page paths (path -> operation
    key); the reason names `change` and the operations it links. Returns how many were flagged."""
    if not paths:
        return 0
    candidates = Solution.objects.filter(
        contains_any("body", paths), outdated_since__isnull=True
    ).only("pk", "body", "body_html", "challenge_id")
    flagged = 0
    for solution in candidates.iterator():
        linked = linked_paths(solution.body_html, solution.body) & paths.keys()
        if linked:
            reason = breaking_reason(change, [paths[path] for path in linked])
            flagged += solution_flag_outdated(solution=solution, reason=reason)
    return flagged
