"""What challenges add to the digest e-mails: open, unanswered challenges asked during the
digest's period in the technologies and tags the user follows (registered from apps.py)."""

from collections.abc import Iterable
from datetime import datetime

from nexus.accounts.models import User
from nexus.challenges.selectors import unanswered_challenge_targets, unanswered_challenges
from nexus.notifications.digest_sections import DigestItem, DigestSection, register_digest_section
from nexus.notifications.selectors import followed_targets, follower_ids

UNANSWERED_LIMIT = 20
UNANSWERED_LABEL = "Unanswered challenges in tags and technologies you follow"
TECHNOLOGY, TAG = "knowledge.technology", "challenges.tag"


def unanswered_recipient_ids(since: datetime) -> Iterable[int]:
    """Followers of a technology or tag of an unanswered challenge asked since then."""
    return follower_ids(targets=unanswered_challenge_targets(since=since))


def unanswered_items(user: User, since: datetime) -> list[DigestItem]:
    """Unanswered challenges asked since then in what the user follows, theirs left out."""
    follows = followed_targets(user=user, target_types=(TECHNOLOGY, TAG))
    challenges = unanswered_challenges(
        technology_slugs=[target_id for kind, target_id in follows if kind == TECHNOLOGY],
        tag_names=[target_id for kind, target_id in follows if kind == TAG],
        since=since,
        exclude_author_id=user.pk,
        limit=UNANSWERED_LIMIT,
    )
    return [DigestItem(title=c.title, url=c.get_absolute_url()) for c in challenges]


register_digest_section(
    "challenges.unanswered",
    DigestSection(
        label=UNANSWERED_LABEL, recipient_ids=unanswered_recipient_ids, items=unanswered_items
    ),
)
