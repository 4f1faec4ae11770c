"""A body sent without Content-Length (chunked) obeys the body limit, straight to gunicorn too."""

import contextlib
import io
import json
import socket
from collections.abc import Iterator

import pytest

from nexus.core.middleware import MULTIPART_ENVELOPE_BYTES, ChunkedBodyLimit
from tests import servers

LIMIT = 64 * 1024  # the spawned server's NEXUS_MAX_JSON_BODY_BYTES, small to keep the test fast
TYPENAME = b'{"query": "{ __typename }"}'


class Recorder:
    """What the wrapped application was called with."""

    def __init__(self) -> None:
        self.body: bytes | None = None
        self.content_length: str | None = None

    def __call__(self, environ, start_response):
        self.content_length = environ.get("CONTENT_LENGTH")
        self.body = environ["wsgi.input"].read(int(self.content_length or 0))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def call(app, body: bytes, **environ) -> tuple[str, bytes]:
    answer = {}

    def start_response(status, headers):
        answer["status"] = status

    content = b"".join(
        app(
            {"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True, **environ},
            start_response,
        )
    )
    return answer["status"], content


CHUNKED = {"HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_TYPE": "application/json"}


def test_a_chunked_body_under_the_limit_reaches_the_app_with_its_length(settings):
    settings.NEXUS_MAX_JSON_BODY_BYTES = 100
    recorder = Recorder()
    status, _ = call(ChunkedBodyLimit(recorder), b"x" * 100, **CHUNKED)
    assert status == "200 OK"
    assert (recorder.content_length, recorder.body) == ("100", b"x" * 100)


def test_a_chunked_body_over_the_limit_is_413_and_never_reaches_the_app(settings):
    settings.NEXUS_MAX_JSON_BODY_BYTES = 100
    recorder = Recorder()
    status, content = call(ChunkedBodyLimit(recorder), b"x" * 101, **CHUNKED)
    assert status == "413 Request Entity Too Large"
    assert (
        json.loads(content)["detail"] == "The chunked request body is over the limit of 100 bytes."
    )
    assert recorder.body is None


def test_a_chunked_upload_has_the_upload_limit(settings):
    settings.NEXUS_MAX_JSON_BODY_BYTES = 100
    settings.NEXUS_MAX_UPLOAD_BYTES = 1000
    upload = {**CHUNKED, "CONTENT_TYPE": "multipart/form-data; boundary=x"}
    limit = 1000 + MULTIPART_ENVELOPE_BYTES
    assert call(ChunkedBodyLimit(Recorder()), b"x" * limit, **upload)[0] == "200 OK"
    assert call(ChunkedBodyLimit(Recorder()), b"x" * (limit + 1), **upload)[0].startswith("413")


def test_a_server_that_does_not_end_the_input_is_not_read_without_a_length(settings):
    # wsgiref (runserver) would wait for the client to close: the request goes on untouched.
    settings.NEXUS_MAX_JSON_BODY_BYTES = 100
    recorder = Recorder()
    status, _ = call(
        ChunkedBodyLimit(recorder), b"x" * 500, **CHUNKED, **{"wsgi.input_terminated": False}
    )
    assert (status, recorder.content_length) == ("200 OK", None)


# --- Through gunicorn ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gunicorn() -> Iterator[int]:
    with servers.gunicorn(NEXUS_MAX_JSON_BODY_BYTES=str(LIMIT)) as port:
        yield port


def post_chunked(port: int, payload: bytes, chunk: int = 8192) -> tuple[int, bytes]:
    """POST /graphql/ with Transfer-Encoding: chunked and no Content-Length; status and body."""
    head = (
        b"POST /graphql/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(piece), piece)
        for piece in (payload[i : i + chunk] for i in range(0, len(payload), chunk))
    )
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        # The server may answer and close before it has read everything: the answer is there.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(head + chunks + b"0\r\n\r\n")
        answer = b""
        while data := connection.recv(65536):
            answer += data
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def test_gunicorn_refuses_a_chunked_body_over_the_limit_with_413(gunicorn):
    padding = b" " * (LIMIT + 1 - len(TYPENAME))
    status, body = post_chunked(gunicorn, TYPENAME + padding)
    assert status == 413
    assert (
        json.loads(body)["detail"]
        == f"The chunked request body is over the limit of {LIMIT} bytes."
    )


def test_gunicorn_hands_django_a_chunked_body_under_the_limit(gunicorn):
    padding = b" " * (LIMIT - len(TYPENAME))
    status, body = post_chunked(gunicorn, TYPENAME + padding)
    assert (status, json.loads(body)) == (200, {"data": {"__typename": "Query"}})
