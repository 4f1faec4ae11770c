"""What people may follow, and whether a follower may see it.

Each app registers its target types when it starts (a module imported from its
AppConfig.ready(), as digest sections are), with a check of whether a user may follow one target:

    register_followable("knowledge.article", may_follow)  # (user, target_id) -> bool

A type nobody registered cannot be followed, and a target the user may not see cannot be
either, so a guessed id never subscribes anyone to news of a draft or a private entry. What
authors and commenters follow by taking part (subscriptions_follow_from_events) needs no check.
"""

from collections.abc import Callable

from nexus.accounts.models import Viewer

MayFollow = Callable[[Viewer, str], bool]

_followable: dict[str, MayFollow] = {}


def register_followable(target_type: str, may_follow: MayFollow) -> None:
    _followable[target_type] = may_follow


def followable_types() -> list[str]:
    return sorted(_followable)


def may_follow(user: Viewer, target_type: str, target_id: str) -> bool:
    check = _followable.get(target_type)
    return check is not None and check(user, target_id)
