"""Event subscribers of funding (auto-imported); every one is idempotent."""

from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.funding.services import bounties


@events.subscriber("solution.accepted")
def award_bounties_of_accepted_challenge(event: OutboxEvent) -> None:
    """The accepted answer's author wins the challenge's open bounties, as of the moment the
    acceptance happened (the event's time), not when the event reaches us."""
    challenge_id = event.payload.get("challenge_id")
    if not isinstance(challenge_id, int) or not event.subject_id.isdigit():
        return
    bounties.bounties_award(
        challenge_id=challenge_id,
        solution_id=int(event.subject_id),
        accepted_at=event.created_at,
    )
