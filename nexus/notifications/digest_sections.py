"""Sections other apps add to the daily and weekly digest e-mails, registered by name.

The digest lists a user's pending notifications, then every registered section that has items for
them, ordered by section name. An app registers its sections when it starts (a module imported
from its AppConfig.ready(); nexus/challenges/digest.py is one), so notifications knows nothing of
what they list:

    register_digest_section(
        "<app>.<section>",
        DigestSection(
            label="What the e-mail shows as the section's heading",
            recipient_ids=...,  # (since) -> ids of the users it has items for since then
            items=...,          # (user, since) -> that user's items since then
        ),
    )

`since` is the start of the digest's period (a day or a week ago). recipient_ids runs once per
digest run and items once per recipient, so each should cost a fixed number of queries.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from nexus.accounts.models import User


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str  # site-relative ("/articles/caching/"); the e-mail makes it absolute


@dataclass(frozen=True)
class DigestSection:
    label: str
    recipient_ids: Callable[[datetime], Iterable[int]]
    items: Callable[[User, datetime], Sequence[DigestItem]]


_sections: dict[str, DigestSection] = {}


def register_digest_section(name: str, section: DigestSection) -> DigestSection:
    """Add (or replace) the digest section registered under `name`."""
    _sections[name] = section
    return section


def registered_digest_sections() -> list[DigestSection]:
    """Every registered section, in a stable order (by name)."""
    return [_sections[name] for name in sorted(_sections)]
