"""One search interface, two engines: chosen by the database in use."""

from django.db import connection

from nexus.search.backends.base import SearchBackend
from nexus.search.backends.postgres import PostgresBackend
from nexus.search.backends.sqlite import SqliteBackend

_BACKENDS: dict[str, type[SearchBackend]] = {
    "postgresql": PostgresBackend,
    "sqlite": SqliteBackend,
}


def get_backend() -> SearchBackend:
    """The backend for the default database's vendor."""
    try:
        return _BACKENDS[connection.vendor]()
    except KeyError:
        raise NotImplementedError(f"No search backend for {connection.vendor}.") from None


__all__ = ["SearchBackend", "get_backend"]
