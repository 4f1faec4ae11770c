"""Issue #19's "Done when" in one browser session, against the local Chapa over real HTTP: the
asker puts a bounty on their challenge, pays on Chapa's checkout, sees the bounty on the challenge
and accepts an answer; the answerer finds the award on their payments page, says where their
money goes and asks for a payout, which Chapa's transfer and its signed webhook see through.
The ledger balances and matches Chapa's records at the end."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from nexus.accounts.models import User
from nexus.funding.models import Bounty
from nexus.payments.models import Payout, PayoutStatus
from tests.e2e.mentorship_steps import PASSWORD, log_in
from tests.funding.money import answer, challenge_by
from tests.payments.charges_fixtures import assert_ledger_balanced_and_matches_chapa

pytestmark = pytest.mark.e2e


def log_out(page: Page) -> None:
    page.context.clear_cookies()


@pytest.fixture
def people(base_url):
    asker = User.objects.create_user("asker@example.com", PASSWORD, display_name="Hana Asker")
    answerer = User.objects.create_user("solver@example.com", PASSWORD, display_name="Dawit Solver")
    challenge = challenge_by(asker, "Celery tasks run twice after a deploy")
    answer(challenge, answerer)
    return asker, answerer, challenge


def test_a_bounty_is_paid_awarded_and_paid_out(
    page: Page, base_url, chapa_sandbox, settings, people, screenshot
):
    asker, answerer, challenge = people
    settings.NEXUS_BASE_URL = base_url
    chapa_sandbox.webhook_url = f"{base_url}/api/v1/payments/chapa/webhook/"

    # The asker offers 500 birr and pays on Chapa's checkout.
    log_in(page, asker.email)
    page.goto(f"/challenges/{challenge.pk}/")
    bounties = page.get_by_test_id("bounties")
    bounties.get_by_text("Offer a bounty").click()
    form = page.get_by_test_id("bounty-form")
    form.get_by_label("Amount").fill("500")
    form.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Chapa test checkout")).to_be_visible()
    expect(page.get_by_text("500.00 ETB")).to_be_visible()
    screenshot("bounty-checkout")
    page.get_by_role("button", name="Pay", exact=True).click()

    # Back on Nexus: the payment is verified with Chapa, the bounty is on the challenge.
    status = page.get_by_test_id("payment-status")
    expect(status).to_have_attribute("data-status", "succeeded")
    screenshot("bounty-paid")
    page.get_by_test_id("payment-continue").click()
    expect(page).to_have_url(re.compile(rf"/challenges/{challenge.pk}/"))
    expect(page.get_by_test_id("bounty-total")).to_have_text("500.00 ETB")
    page.goto("/challenges/?sort=bounty")
    expect(page.get_by_text("500.00 ETB").first).to_be_visible()

    # The asker accepts the answer: the bounty goes to its author.
    page.goto(f"/challenges/{challenge.pk}/")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("accepted")).to_be_visible()
    bounty = Bounty.objects.get(challenge=challenge)
    assert (bounty.status, bounty.awarded_to_id) == ("awarded", answerer.pk)
    log_out(page)

    # The answerer sees the award, says where the money goes, and asks for it.
    log_in(page, answerer.email)
    page.goto("/payments/")
    expect(page.get_by_test_id("balances")).to_contain_text("500.00 ETB")
    expect(page.get_by_test_id("received")).to_contain_text("500.00 ETB")
    screenshot("award-received")
    page.get_by_test_id("set-payout-method").click()
    method = page.get_by_test_id("payout-method")
    method.get_by_label("Bank or mobile money").select_option(index=1)
    method.get_by_label("Name on the account").fill("Dawit Solver")
    method.get_by_label("Account or phone number").fill("1000123456")
    method.get_by_role("button", name="Save").click()
    page.goto("/payments/")
    payout_form = page.get_by_test_id("payout-request")
    payout_form.get_by_label("Amount").fill("500")
    payout_form.get_by_role("button", name="Request a payout").click()

    # Chapa's transfer goes through and its signed payout webhook settles it.
    payouts = page.get_by_test_id("payout-list")
    expect(payouts).to_contain_text("500.00 ETB")
    for _attempt in range(20):
        if Payout.objects.get(user=answerer).status == PayoutStatus.PAID:
            break
        page.wait_for_timeout(250)
    page.reload()
    expect(page.get_by_test_id("payout-list")).to_contain_text("Paid")
    expect(page.get_by_test_id("payout-list")).to_contain_text("•••• 3456")
    screenshot("payout-paid")

    payout = Payout.objects.get(user=answerer)
    assert payout.amount == Decimal("500.00")
    assert [d.event for d in chapa_sandbox.deliveries] == ["charge.success", "payout.success"]
    assert_ledger_balanced_and_matches_chapa(chapa_sandbox)
