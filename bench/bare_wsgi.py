"""The most Python can do on a server: a WSGI app answering every request with the same bytes
(the file $BENCH_BODY_FILE names; bench/servers.py writes Nexus's article list there)."""

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIServer, make_server

BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BODY]


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """What Django's development server is: wsgiref, a thread a request."""

    daemon_threads = True


def serve_wsgiref(port: int) -> None:
    make_server("127.0.0.1", port, application, server_class=ThreadingWSGIServer).serve_forever()
