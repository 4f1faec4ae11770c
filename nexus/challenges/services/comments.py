"""Comments on challenges and solutions, with one level of replies."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from nexus.accounts.models import User
from nexus.challenges import policies
from nexus.challenges.models import (
    Challenge,
    Comment,
    Solution,
)
from nexus.challenges.rendering import render_body
from nexus.challenges.services.common import (
    COMMENT_MAX_CHARS,
    _event_payload,
)
from nexus.core import events


# --- Comments -------------------------------------------------------------------------------
@transaction.atomic
def comment_create(
    *,
    challenge: Challenge,
    author: User,
    body: str,
    solution: Solution | None = None,
    parent: Comment | None = None,
) -> Comment:
    """Comment on a challenge or one of its solutions, or reply to a comment (one level deep)."""
    if not policies.can_comment(author, challenge):
        raise PermissionDenied("This account may not comment on challenges.")
    errors: dict[str, list[str]] = {}
    body = body.replace("\r\n", "\n").strip()
    if not body:
        errors["body"] = ["Write something first."]
    elif len(body) > COMMENT_MAX_CHARS:
        errors["body"] = [f"Keep comments under {COMMENT_MAX_CHARS} characters."]
    if solution is not None and solution.challenge_id != challenge.pk:
        errors["solution"] = ["That solution answers a different challenge."]
    if parent is not None:
        if parent.challenge_id != challenge.pk or parent.solution_id != (
            solution.pk if solution else None
        ):
            errors["parent"] = ["Reply to a comment in the same thread."]
        elif parent.parent_id is not None:
            errors["parent"] = ["Replies go one level deep: reply to the first comment."]
    if errors:
        raise ValidationError(errors)
    comment = Comment.objects.create(
        challenge=challenge,
        solution=solution,
        parent=parent,
        author=author,
        body=body,
        body_html=render_body(body),
    )
    recipients = {solution.author_id if solution else challenge.author_id}
    if parent is not None:
        recipients.add(parent.author_id)
    events.publish(
        "challenge.commented",
        subject=challenge,
        actor=author,
        payload=_event_payload(
            challenge,
            url=f"{challenge.get_absolute_url()}#comment-{comment.pk}",
            comment_id=comment.pk,
            solution_id=solution.pk if solution else None,
            follower_ids=[author.pk],
            recipient_ids=sorted(recipients),
        ),
    )
    return comment
