"""One "may be outdated" mechanism for every kind of content whose body links API operations.

A flag is set when an operation the body links changes incompatibly and its author is told; only
a review clears it (editing the body does not: the author says the content is still right). Each
app describes its kind once with `OutdatedFlags` and keeps its own service names around it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from nexus.core import clock, events
from nexus.core.links import breaking_reason, contains_any, linked_paths
from nexus.core.models import OUTDATED_REASON_MAX_LENGTH, OutdatableModel

if TYPE_CHECKING:
    from nexus.accounts.models import User


@dataclass(frozen=True)
class OutdatedFlags[M: OutdatableModel]:
    """How one kind of content is flagged and reviewed.

    `model` has `body` (Markdown) and `body_html` fields; `payload` builds the `event`'s payload
    (with its `recipient_ids`) from a just-flagged item; `may_review(actor, item)` is the policy;
    `flaggable` narrows which rows may be flagged at all.
    """

    model: type[M]
    event: str
    payload: Callable[[M], dict[str, Any]]
    may_review: Callable[["User", M], bool]
    refusal: str
    flaggable: Q = field(default_factory=Q)

    def flag(self, *, item: M, reason: str) -> bool:
        """Flag the item and tell its author; False if it is flagged already or not flaggable."""
        flagged = self._flag(pk=item.pk, reason=reason)
        if flagged is None:
            return False
        item.outdated_since = flagged.outdated_since
        item.outdated_reason = flagged.outdated_reason
        return True

    @transaction.atomic
    def _flag(self, *, pk: Any, reason: str) -> M | None:
        rows = self.model._default_manager.select_for_update().filter(self.flaggable, pk=pk)
        locked = rows.first()
        if locked is None or locked.outdated_since is not None:
            return None
        locked.outdated_since = clock.now()
        locked.outdated_reason = reason[:OUTDATED_REASON_MAX_LENGTH]
        # Not a content change: versions (optimistic locks) and updated_at stay as they are.
        self.model._default_manager.filter(pk=pk).update(
            outdated_since=locked.outdated_since, outdated_reason=locked.outdated_reason
        )
        events.publish(self.event, subject=locked, actor=None, payload=self.payload(locked))
        return locked

    @transaction.atomic
    def mark_reviewed(self, *, item: M, actor: "User") -> M:
        """The author (or a mentor/admin) confirms the item is still right: clears the flag."""
        if not self.may_review(actor, item):
            raise PermissionDenied(self.refusal)
        self.model._default_manager.filter(pk=item.pk).update(
            outdated_since=None, outdated_reason=""
        )
        item.outdated_since, item.outdated_reason = None, ""
        return item

    def flag_linking(self, *, paths: dict[str, str], change: str) -> int:
        """Flag every flaggable item whose body links one of the page paths (path -> operation
        key); the reason names `change` and the operations it links. Returns how many it flagged."""
        if not paths:
            return 0
        candidates = self.model._default_manager.filter(
            contains_any("body", paths), self.flaggable, outdated_since__isnull=True
        ).values_list("pk", "body", "body_html")
        flagged = 0
        for pk, body, body_html in candidates.iterator():
            linked = linked_paths(body_html, body) & paths.keys()
            if linked:
                reason = breaking_reason(change, [paths[path] for path in linked])
                flagged += self._flag(pk=pk, reason=reason) is not None
        return flagged
