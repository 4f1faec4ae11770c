"""One function decides a client's address: X-Forwarded-For counts only from trusted proxies."""

import logging

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from nexus.core.client_address import ClientAddressMiddleware, client_address
from nexus.core.logging import RequestIdFilter

PEER = "10.0.0.2"


def request_from(forwarded_for=None, peer=PEER):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    return RequestFactory().get("/", headers=headers, REMOTE_ADDR=peer)


@pytest.mark.parametrize(
    ("trusted", "forwarded_for", "expected"),
    [
        (0, None, PEER),
        # With no trusted proxy, whatever a client writes is ignored.
        (0, "198.51.100.7", PEER),
        (1, None, PEER),
        (1, "203.0.113.9", "203.0.113.9"),
        # A client's own header comes first; the proxy's entry is the last one.
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),
        (1, "1.1.1.1,2.2.2.2,   203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.7, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        # Fewer hops than proxies: the leftmost one, which a trusted proxy wrote.
        (2, "203.0.113.9", "203.0.113.9"),
        (1, "2001:DB8::0:1", "2001:db8::1"),
        # A proxy that writes garbage: its own address is the honest answer.
        (1, "198.51.100.7, not-an-address", PEER),
        (1, "198.51.100.7, 203.0.113.9:443", PEER),
        (1, "", PEER),
    ],
)
def test_the_client_is_the_entry_the_outermost_trusted_proxy_wrote(
    settings, trusted, forwarded_for, expected
):
    settings.NEXUS_TRUSTED_PROXIES = trusted
    assert client_address(request_from(forwarded_for)) == expected


def test_the_middleware_resolves_once_and_drops_the_header(settings):
    settings.NEXUS_TRUSTED_PROXIES = 1
    seen = {}

    def view(request):
        seen["remote"] = request.META["REMOTE_ADDR"]
        seen["forwarded"] = request.META.get("HTTP_X_FORWARDED_FOR")
        # Read again downstream, the address does not move one more hop to the left.
        seen["again"] = client_address(request)
        return HttpResponse()

    ClientAddressMiddleware(view)(request_from("198.51.100.7, 203.0.113.9"))
    assert seen == {"remote": "203.0.113.9", "forwarded": None, "again": "203.0.113.9"}


def test_the_middleware_runs_before_anything_else(settings):
    assert settings.MIDDLEWARE[0] == "nexus.core.client_address.ClientAddressMiddleware"
    # DRF must never read the header on its own: its default, None, trusts it.
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


@pytest.mark.django_db
def test_log_lines_of_a_request_carry_its_client_address(client, settings):
    settings.NEXUS_TRUSTED_PROXIES = 1
    records = []

    class Capture(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Capture()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no-such-page/", headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
    finally:
        logger.removeHandler(handler)
    assert [record.client_address for record in records] == ["203.0.113.9"]
