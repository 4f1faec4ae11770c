"""Helpers to publish events the way features do, and a webhook receiver on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from nexus.core import events


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish an event in a committed transaction, running its subscribers inline."""

    def run(name, *, subject=None, actor=None, **payload):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return events.publish(name, subject=subject, actor=actor, payload=payload)

    return run


class Receiver:
    """A tiny HTTP server that records the webhook requests it gets."""

    def __init__(self):
        self.requests = []
        self.status = 200
        self.hold = None  # a threading.Event the handler waits on before answering
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def json(self, index=-1):
        return json.loads(self.requests[index]["body"])

    def close(self):
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    """A webhook receiver on 127.0.0.1, which outbound requests may reach in this test only."""
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = True
    server = Receiver()
    yield server
    server.close()
