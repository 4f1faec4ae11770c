"""Sinks: where extracted items go, one per target app, registered by item kind.

A sink receives one file's items of the kinds it handles and writes them through its app's
services. A recognised kind with no sink would be reported as "pending"; every kind the
extractor produces has one now (knowledge, challenges, journal: see docs/importer.md).
"""

# Importing each sink module registers its sink for the kinds it writes.
from nexus.importer.sinks import challenges, journal, knowledge  # noqa: F401
from nexus.importer.sinks.base import PENDING, REGISTRY, Outcome, Sink

__all__ = ["PENDING", "Outcome", "sink_for"]


def sink_for(kind: str) -> Sink | None:
    """The sink that writes items of this kind, if any."""
    return REGISTRY.get(kind)
