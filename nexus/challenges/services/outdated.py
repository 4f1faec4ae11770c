"""'May be outdated' flags on solutions (nexus.core.outdated)."""

from nexus.accounts.models import User
from nexus.challenges import policies
from nexus.challenges.models import Solution
from nexus.core.outdated import OutdatedFlags


def _payload(solution: Solution) -> dict[str, object]:
    return {
        "title": f"Your solution may be outdated: {solution.outdated_reason}"[:300],
        "url": solution.get_absolute_url(),
        "reason": solution.outdated_reason,
        "recipient_ids": [solution.author_id],
    }


FLAGS = OutdatedFlags(
    model=Solution,
    event="solution.outdated",
    payload=_payload,
    may_review=policies.can_edit_solution,
    refusal="Only the author or a mentor may review this solution.",
)


def solution_flag_outdated(*, solution: Solution, reason: str) -> bool:
    """Flag a solution and tell its author; a no-op (False) if it is already flagged."""
    return FLAGS.flag(item=solution, reason=reason)


def solution_mark_reviewed(*, solution: Solution, actor: User) -> Solution:
    """The author (or a mentor/admin) confirms the solution is still right: clears the flag."""
    return FLAGS.mark_reviewed(item=solution, actor=actor)


def solutions_flag_linking(*, paths: dict[str, str], change: str) -> int:
    """Flag every solution whose body links one of the page paths (path -> operation key)."""
    return FLAGS.flag_linking(paths=paths, change=change)
