"""Event subscribers of funding (auto-imported); every one is idempotent."""

from collections.abc import Sequence

from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.funding import selectors
from nexus.funding.services import bounties


@events.batch_subscriber("solution.accepted")
def award_bounties_of_accepted_challenge(batch: Sequence[OutboxEvent]) -> None:
    """The accepted answer's author wins the challenge's open bounties, as of the moment the
    acceptance happened (the event's time), not when the event reaches us.

    A batch (an import accepts a solution for every solved challenge it writes) asks once which
    of its challenges have an open bounty at all: the others have nothing to award."""
    accepted = [
        (event, challenge_id)
        for event in batch
        if isinstance(challenge_id := event.payload.get("challenge_id"), int)
        and event.subject_id.isdigit()
    ]
    with_bounties = selectors.challenges_with_open_bounties(
        challenge_ids={challenge_id for _event, challenge_id in accepted}
    )
    for event, challenge_id in accepted:
        if challenge_id in with_bounties:
            bounties.bounties_award(
                challenge_id=challenge_id,
                solution_id=int(event.subject_id),
                accepted_at=event.created_at,
            )
