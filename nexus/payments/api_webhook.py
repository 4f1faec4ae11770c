"""POST /api/v1/payments/chapa/webhook/: Chapa's signed webhook.

No session, no token, no CSRF: the HMAC over the raw body is the authentication. The answer comes
at once (Chapa retries slow endpoints); the work runs from the outbox.
"""

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from nexus.core import clock
from nexus.core.errors import problem_response
from nexus.payments import chapa
from nexus.payments.services.charges import PaymentsDisabled, payments_enabled
from nexus.payments.webhooks import chapa_event_receive

# Chapa's events are a few hundred bytes; anything this large is not one of them.
MAX_BODY_BYTES = 64 * 1024


@csrf_exempt
@require_POST
def chapa_webhook(request: HttpRequest) -> HttpResponse:
    """Check, store and acknowledge one webhook; processing happens later, once."""
    if not payments_enabled():
        return problem_response(503, detail=str(PaymentsDisabled()), code="payments_disabled")
    if _declared_length(request) > MAX_BODY_BYTES:
        return problem_response(413, detail="A Chapa event is never this large.")
    body = request.body
    if not _signed(request, body):
        return problem_response(
            401, detail="Missing or wrong webhook signature.", code="bad_signature"
        )
    payload, errors = _parse(body)
    if errors:
        return problem_response(400, detail="Not a Chapa event.", errors=errors)
    created_at = _created_at(payload)
    assert created_at is not None  # _parse refused it otherwise
    tolerance = dt.timedelta(seconds=settings.CHAPA_WEBHOOK_TOLERANCE_SECONDS)
    if abs(clock.now() - created_at) > tolerance:
        return problem_response(
            400,
            detail="The event is too old (or dated in the future) to be accepted.",
            code="stale_event",
            errors=[
                {
                    "field": "created_at",
                    "code": "stale",
                    "message": f"Events older than {tolerance} are refused.",
                }
            ],
        )
    stored = chapa_event_receive(
        event=payload["event"], reference=_reference(payload), payload=payload
    )
    return JsonResponse({"received": True, "event_id": stored.pk})


def _signed(request: HttpRequest, body: bytes) -> bool:
    """x-chapa-signature (the HMAC of this body) when sent decides alone. Chapa-Signature is the
    documented alternative: the HMAC of the secret with itself, which proves the sender knows the
    secret but binds no body — acceptable only because a webhook is never believed, just a cue
    to ask Chapa (payment_confirm verifies)."""
    secret: str = settings.CHAPA_WEBHOOK_SECRET
    body_signature = request.headers.get("x-chapa-signature")
    if body_signature is not None:
        return body_signature.isascii() and chapa.signature_valid(body, body_signature, secret)
    alternative = request.headers.get("Chapa-Signature")
    if alternative is None or not alternative.isascii():
        return False  # compare_digest refuses non-ASCII text instead of answering False
    return chapa.signature_valid(body, alternative, secret) or chapa.signature_valid(
        secret.encode(), alternative, secret
    )


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body it cannot size; the signature check then refuses it


def _parse(body: bytes) -> tuple[dict[str, Any], list[dict[str, str]]]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}, [{"field": "__all__", "code": "invalid", "message": "The body is not JSON."}]
    if not isinstance(payload, dict):
        return {}, [{"field": "__all__", "code": "invalid", "message": "Expected an object."}]
    errors = []
    if not isinstance(payload.get("event"), str) or not payload["event"]:
        errors.append({"field": "event", "code": "required", "message": "The event is missing."})
    reference = _reference(payload)
    if not reference or len(reference) > 64:
        errors.append(
            {"field": "tx_ref", "code": "required", "message": "tx_ref or reference is missing."}
        )
    if _created_at(payload) is None:
        errors.append(
            {"field": "created_at", "code": "invalid", "message": "created_at is missing."}
        )
    return payload, errors


def _reference(payload: dict[str, Any]) -> str:
    value = payload.get("tx_ref") or payload.get("reference") or ""
    return value if isinstance(value, str) else ""


def _created_at(payload: dict[str, Any]) -> dt.datetime | None:
    # Chapa's created_at is the transaction's; updated_at, when sent, is when this event happened
    # (a payer who took ten minutes at the checkout sends a fresh event about an old charge).
    value = payload.get("updated_at") or payload.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
