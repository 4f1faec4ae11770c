"""`manage.py serve`: Nexus on granian, a production-grade server, as `make run` starts it.

One process with several threads: embedded mode keeps its cache, login limits and tasks in that
process's memory, which threads share and separate processes would not. bench/servers.py chose
granian over Django's development server and gunicorn (docs/deploy.md has the figures).
Companions registered by features start beside it (the local Chapa, in embedded mode).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from granian import Granian
from granian.constants import Interfaces

from nexus.core.companions import start_companions


class Command(BaseCommand):
    help = "Serve Nexus with granian: WSGI, one process, several threads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="requests served at once")

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        browser_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
        for line in start_companions(f"http://{browser_host}:{port}"):
            self.stdout.write(line)
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
