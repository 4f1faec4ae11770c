"""Servers `manage.py serve` starts beside Nexus in the same process (the local Chapa in embedded
mode). A feature registers one from its AppConfig.ready(): core knows them only through here."""

from collections.abc import Callable

# Given the URL Nexus will serve at, start if wanted and say what started (or None).
Companion = Callable[[str], str | None]

_companions: list[Companion] = []


def register_companion(companion: Companion) -> None:
    """Start `companion` whenever `manage.py serve` starts (once per registration)."""
    if companion not in _companions:
        _companions.append(companion)


def start_companions(nexus_url: str) -> list[str]:
    """Start every registered companion; one line each about what started."""
    return [line for companion in _companions if (line := companion(nexus_url))]
