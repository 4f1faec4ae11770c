"""The award delivered twice at the same moment (two workers running the subscriber for the same
acceptance), on PostgreSQL: the bounty row lock lets one pay, the other finds it awarded."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from nexus.core import clock
from nexus.funding.models import BountyStatus
from nexus.funding.services import bounties
from nexus.payments.models import LedgerEntry
from tests.funding.money import answer, challenge_by, credit_of, paid_bounty

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; no race to lose"
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_deliveries_of_one_acceptance_at_once_award_the_bounty_once(
    owner, other_user, mentor, attempt
):
    challenge = challenge_by(owner, title=f"Race number {attempt} for the bounty")
    bounty = paid_bounty(challenge, other_user, "500.00")
    solution = answer(challenge, mentor)
    accepted_at = clock.now()
    barrier = threading.Barrier(2)
    awarded: list[int] = []
    failures: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait()
            won = bounties.bounties_award(
                challenge_id=challenge.pk, solution_id=solution.pk, accepted_at=accepted_at
            )
            awarded.append(len(won))
        except BaseException as error:  # the assertion below shows it
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert failures == []
    assert sorted(awarded) == [0, 1]
    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.AWARDED
    assert credit_of(mentor) == Decimal("500.00")
    assert LedgerEntry.objects.filter(key=f"award:bounty:{bounty.pk}").count() == 1
