"""The admins' monthly report: totals by movement kind and currency, and the streamed CSV (one row
per movement, formula-safe cells), for admins only."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import transaction

from nexus.core import clock
from nexus.payments.ledger import hold_account, ledger_move, wallet_account
from nexus.payments.models import EntryKind
from nexus.payments.selectors import month_totals
from tests.factories import UserFactory
from tests.payments.payout_helpers import give_credit

pytestmark = pytest.mark.django_db


def _month_of_money(owner):
    give_credit(owner, "150.00", key="charge:nx-1")
    give_credit(owner, "10.00", currency="USD", key="charge:nx-2")
    with transaction.atomic():
        ledger_move(
            kind=EntryKind.HOLD,
            source=wallet_account(owner, currency="ETB"),
            destination=hold_account("bounty", 7, currency="ETB"),
            amount=Decimal("100.00"),
            key="hold:bounty:7",
        )


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_month_totals_sum_each_kind_per_currency(awkward_moment, owner):
    _month_of_money(owner)

    totals = month_totals(clock.today().replace(day=1))

    assert totals == [
        ("charge", "ETB", Decimal("150.00"), 1),
        ("charge", "USD", Decimal("10.00"), 1),
        ("hold", "ETB", Decimal("100.00"), 1),
    ]


def test_an_admin_downloads_every_movement_of_the_month_then_the_totals(
    awkward_moment, client, admin_user, owner
):
    _month_of_money(owner)
    client.force_login(admin_user)
    month = clock.today().strftime("%Y-%m")

    response = client.get(f"/payments/admin/report/{month}.csv")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    rows = _csv(response)
    assert rows[0] == ["date", "kind", "amount", "currency", "from", "to", "reference", "user"]
    assert [row[1:4] for row in rows[1:4]] == [
        ["charge", "150.00", "ETB"],
        ["charge", "10.00", "USD"],
        ["hold", "100.00", "ETB"],
    ]
    assert rows[3][4:6] == [f"wallet:{owner.pk}", "hold:bounty:7"]
    assert rows[1][7] == owner.display_name
    assert rows[4] == ["total", "charge", "150.00", "ETB", "", "", "1 movements", ""]
    print(f"report rows: {len(rows) - 1} (3 movements, 3 totals)")


def test_a_month_without_money_is_headers_only_and_the_page_says_so(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/payments/admin/report/2001-02.csv")
    page = client.get("/payments/admin/?month=2001-02")

    assert len(_csv(response)) == 1
    assert "No money moved this month." in page.content.decode()


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)"])
def test_cells_a_spreadsheet_would_run_are_quoted(awkward_moment, client, admin_user, name):
    payee = UserFactory(display_name=name)
    give_credit(payee, "5.00")
    client.force_login(admin_user)

    rows = _csv(client.get(f"/payments/admin/report/{clock.today():%Y-%m}.csv"))

    assert rows[1][7] == f"'{name}"


@pytest.mark.parametrize("month", ["2026-13", "0000-01", "2026-00"])
def test_a_month_that_is_no_month_is_a_404(client, admin_user, month):
    client.force_login(admin_user)

    assert client.get(f"/payments/admin/report/{month}.csv").status_code == 404
    assert client.get(f"/payments/admin/?month={month}").status_code == 404


@pytest.mark.parametrize("path", ["/payments/admin/", "/payments/admin/report/2026-01.csv"])
def test_only_admins_see_the_report(client, owner, mentor, path):
    assert client.get(path).status_code == 302  # to the log-in page
    for user in (owner, mentor):
        client.force_login(user)
        assert client.get(path).status_code == 403
