import json
from datetime import timedelta

import pytest

from nexus.core import clock
from nexus.payments import chapa
from nexus.payments.models import ChapaEvent, LedgerEntry, PaymentStatus
from nexus.payments.services.charges import payment_start
from tests.chapa import WEBHOOK_PATH, WEBHOOK_SECRET
from tests.payments.charges_fixtures import PURPOSE

pytestmark = pytest.mark.django_db


def _paid(owner, sandbox):
    payment = payment_start(
        payer=owner, amount="80", currency="ETB", purpose=PURPOSE, purpose_id=3, description="x"
    )
    sandbox.pay(payment.tx_ref)
    return payment


def _post(client, payload, *, secret=WEBHOOK_SECRET, header="x-chapa-signature"):
    body = json.dumps(payload).encode()
    headers = {header: chapa.sign(body, secret)} if secret else {}
    return client.post(WEBHOOK_PATH, data=body, content_type="application/json", headers=headers)


def _event(tx_ref, **changes):
    moment = clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"event": "charge.success", "tx_ref": tx_ref, "created_at": moment, **changes}


def test_a_signed_webhook_is_stored_answered_and_settles_the_payment(
    client, owner, chapa_sandbox, django_capture_on_commit_callbacks
):
    payment = _paid(owner, chapa_sandbox)

    with django_capture_on_commit_callbacks(execute=True):
        (answer,) = chapa_sandbox.deliver_to(client)

    assert answer.status_code == 200
    stored = ChapaEvent.objects.get()
    assert (stored.event, stored.reference) == ("charge.success", payment.tx_ref)
    assert stored.processed_at is not None
    assert stored.outcome == "payment succeeded"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED


def test_an_unsigned_webhook_is_refused(client, owner, chapa_sandbox):
    answer = _post(client, _event("nx-1"), secret="")

    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert not ChapaEvent.objects.exists()


def test_a_webhook_signed_with_another_secret_is_refused(client, chapa_sandbox):
    assert _post(client, _event("nx-1"), secret="guessed").status_code == 401


def test_chapa_signature_is_accepted_as_the_alternative_header(client, chapa_sandbox):
    body = json.dumps(_event("nx-2")).encode()
    answer = client.post(
        WEBHOOK_PATH,
        data=body,
        content_type="application/json",
        headers={"Chapa-Signature": chapa.sign(WEBHOOK_SECRET.encode(), WEBHOOK_SECRET)},
    )

    assert answer.status_code == 200


def test_a_stale_webhook_is_refused_with_the_field(client, chapa_sandbox):
    old = (clock.now() - timedelta(minutes=6)).isoformat()

    answer = _post(client, _event("nx-3", created_at=old))

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "created_at"
    assert not ChapaEvent.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"tx_ref": "nx-4", "created_at": "2026-01-01T00:00:00Z"}, "event"),
        ({"event": "charge.success", "created_at": "2026-01-01T00:00:00Z"}, "tx_ref"),
        ({"event": "charge.success", "tx_ref": "nx-4"}, "created_at"),
        ({"event": "charge.success", "tx_ref": "nx-4", "created_at": "yesterday"}, "created_at"),
        ([1, 2], "__all__"),
    ],
)
def test_a_malformed_webhook_is_refused_with_the_field(client, chapa_sandbox, payload, field):
    answer = _post(client, payload)

    assert answer.status_code == 400
    assert field in [error["field"] for error in answer.json()["errors"]]


def test_a_body_that_is_not_json_is_refused(client, chapa_sandbox):
    body = b"\xff not json"
    answer = client.post(
        WEBHOOK_PATH,
        data=body,
        content_type="application/json",
        headers={"x-chapa-signature": chapa.sign(body, WEBHOOK_SECRET)},
    )

    assert answer.status_code == 400


def test_an_oversized_body_is_refused_before_it_is_read(client, chapa_sandbox):
    answer = _post(client, _event("nx-5", padding="x" * 70_000))

    assert answer.status_code == 413


def test_webhooks_answer_503_when_payments_are_off(client, settings):
    settings.CHAPA_SECRET_KEY = ""

    answer = _post(client, _event("nx-6"))

    assert answer.status_code == 503
    assert answer.json()["code"] == "payments_disabled"


def test_a_webhook_for_an_unknown_payment_is_stored_and_credits_nothing(
    client, chapa_sandbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, _event("nx-unknown")).status_code == 200

    assert ChapaEvent.objects.get().outcome == "no payment nx-unknown"
    assert not LedgerEntry.objects.exists()


def test_only_post_is_allowed(client, chapa_sandbox):
    assert client.get(WEBHOOK_PATH).status_code == 405


@pytest.mark.parametrize("header", ["x-chapa-signature", "Chapa-Signature"])
def test_a_signature_that_is_not_even_ascii_is_refused_not_a_crash(client, chapa_sandbox, header):
    answer = client.post(
        WEBHOOK_PATH,
        data=json.dumps(_event("nx-7")).encode(),
        content_type="application/json",
        headers={header: "sïgnature"},
    )

    assert answer.status_code == 401


def test_a_nonsense_content_length_is_refused_not_a_crash(client, chapa_sandbox):
    answer = client.post(
        WEBHOOK_PATH, data=b"{}", content_type="application/json", CONTENT_LENGTH="lots"
    )

    assert answer.status_code in {400, 401}
