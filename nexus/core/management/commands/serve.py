"""`manage.py serve`: Nexus on granian, a production-grade server, as `make run` starts it.

One process with several threads: embedded mode keeps its cache, login limits and tasks in that
process's memory, which threads share and separate processes would not. bench/servers.py chose
granian over Django's development server and gunicorn (docs/deploy.md has the figures).
In embedded mode with no Chapa configured, the local Chapa test server starts beside it.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from granian import Granian
from granian.constants import Interfaces

from nexus.payments.sandbox import embedded as embedded_chapa


class Command(BaseCommand):
    help = "Serve Nexus with granian: WSGI, one process, several threads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="requests served at once")

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        if embedded_chapa.wanted():
            browser_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
            sandbox = embedded_chapa.start_beside_nexus(f"http://{browser_host}:{port}")
            self.stdout.write(
                f"Chapa test server on {sandbox.url} (no CHAPA_* set; no money moves)"
            )
        self.stdout.write(
            f"Nexus on http://{host}:{port}/ (granian, {threads} threads; Ctrl-C stops)"
        )
        Granian(
            "nexus.wsgi:application",
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=1,
            blocking_threads=threads,
        ).serve()
