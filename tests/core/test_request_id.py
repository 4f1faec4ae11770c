import json
import logging

import pytest

from nexus.core.logging import RequestIdFilter

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_a_well_formed_incoming_request_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "frontend-1234abcd"})
    assert response["X-Request-ID"] == "frontend-1234abcd"


def test_a_malformed_incoming_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id(client, monkeypatch):
    from pythonjsonlogger.json import JsonFormatter

    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Capture()
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s"))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/api/v1/no-such-thing/", headers={"X-Request-ID": "trace-00000042"})
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    records = [json.loads(line) for line in lines]
    assert records
    assert {record["request_id"] for record in records} == {"trace-00000042"}
