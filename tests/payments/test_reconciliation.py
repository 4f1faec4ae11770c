import pytest
from prometheus_client import REGISTRY

from nexus.core.models import OutboxEvent
from nexus.payments.models import PaymentStatus
from nexus.payments.services.charges import payment_confirm, payment_start
from nexus.payments.services.reconciliation import payments_reconcile
from nexus.payments.tasks import reconcile_payments
from tests.payments.charges_fixtures import PURPOSE

pytestmark = pytest.mark.django_db
COUNTER = "payments_reconciliation_mismatches_total"


def _succeeded(owner, sandbox, purpose_id=1):
    payment = payment_start(
        payer=owner,
        amount="40",
        currency="ETB",
        purpose=PURPOSE,
        purpose_id=purpose_id,
        description="",
    )
    sandbox.pay(payment.tx_ref)
    assert payment_confirm(tx_ref=payment.tx_ref).status == PaymentStatus.SUCCEEDED
    return payment


def test_a_day_of_agreeing_payments_raises_no_alert(owner, chapa_sandbox):
    _succeeded(owner, chapa_sandbox, 1)
    _succeeded(owner, chapa_sandbox, 2)
    before = REGISTRY.get_sample_value(COUNTER) or 0

    assert reconcile_payments() == {"verified": 0, "expired": 0, "audited": 2, "mismatches": 0}
    assert (REGISTRY.get_sample_value(COUNTER) or 0) == before


def test_a_payment_chapa_later_records_differently_is_alerted_every_run(
    owner, chapa_sandbox, caplog
):
    payment = _succeeded(owner, chapa_sandbox)
    chapa_sandbox.tamper(payment.tx_ref, amount="39.00")
    before = REGISTRY.get_sample_value(COUNTER) or 0

    first = payments_reconcile()
    second = payments_reconcile()

    assert first.mismatches == second.mismatches == [payment.tx_ref]
    assert REGISTRY.get_sample_value(COUNTER) == before + 2
    assert OutboxEvent.objects.filter(name="payment.reconciliation_mismatch").count() == 2
    assert any(r.levelname == "ERROR" and "39.00" in r.getMessage() for r in caplog.records)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED  # an alert, not a silent rewrite


def test_chapa_being_down_during_the_audit_is_no_alarm(owner, chapa_sandbox):
    _succeeded(owner, chapa_sandbox)
    chapa_sandbox.fault("verify", "500")

    assert payments_reconcile().mismatches == []
