"""The local Chapa's checkout page in a real browser: the buttons a payer (and the bounty flow's
browser test) presses, by their accessible names."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from nexus.payments import chapa

pytestmark = pytest.mark.e2e


def open_checkout(page: Page, base_url: str, tx_ref: str) -> None:
    checkout = chapa.initialize(
        tx_ref=tx_ref,
        amount=Decimal("250.00"),
        currency="ETB",
        email="payer@example.com",
        first_name="Abebe",
        last_name="Kebede",
        callback_url=f"{base_url}/healthz",
        return_url=f"{base_url}/healthz?paid={tx_ref}",
        title="Nexus bounty",
        description="A bounty on a challenge",
    )
    page.goto(checkout.checkout_url)


def test_pay_takes_the_payer_back_and_chapa_records_it(page, base_url, chapa_sandbox, screenshot):
    open_checkout(page, base_url, "nx-e2e-pay")
    expect(page.get_by_role("heading", name="Chapa test checkout")).to_be_visible()
    expect(page.get_by_text("250.00 ETB")).to_be_visible()
    screenshot("checkout")

    page.get_by_role("button", name="Pay", exact=True).click()

    expect(page).to_have_url(re.compile(r"/healthz\?paid=nx-e2e-pay$"))
    assert chapa.verify("nx-e2e-pay").status == chapa.SUCCESS
    assert [delivery.event for delivery in chapa_sandbox.deliveries] == ["charge.success"]


def test_cancel_says_so_and_offers_the_way_back(page, base_url, chapa_sandbox, screenshot):
    open_checkout(page, base_url, "nx-e2e-cancel")

    page.get_by_role("button", name="Cancel", exact=True).click()

    expect(page.get_by_role("heading", name="Payment cancelled")).to_be_visible()
    screenshot("cancelled")
    page.get_by_role("link", name="Return to the merchant").click()
    expect(page).to_have_url(re.compile(r"/healthz\?paid=nx-e2e-cancel$"))
    assert chapa.verify("nx-e2e-cancel").status == chapa.FAILED
