"""Endpoint feedback: ratings of an operation, and the maintainers' replies."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from nexus.accounts.models import User
from nexus.collab import policies
from nexus.collab.models import SCORE_FIELDS, EndpointFeedback, Operation
from nexus.core import clock, events


def _check_scores(scores: dict[str, int | None]) -> None:
    errors = {
        name: ["Rate from 1 to 5."]
        for name, value in scores.items()
        if value is not None and not (isinstance(value, int) and 1 <= value <= 5)
    }
    if errors:
        raise ValidationError(errors)
    if all(value is None for value in scores.values()):
        raise ValidationError({"naming": ["Rate at least one aspect of the operation."]})


@transaction.atomic
def feedback_submit(
    *,
    author: User,
    operation: Operation,
    comment: str = "",
    example: str = "",
    **scores: int | None,
) -> EndpointFeedback:
    """Rate an operation; a second rating by the same author replaces the first."""
    if not policies.can_give_feedback(author):
        raise PermissionDenied("Sign in to rate an operation.")
    unknown = set(scores) - set(SCORE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field is not accepted here."] for name in unknown})
    scores = {name: scores.get(name) for name in SCORE_FIELDS}
    _check_scores(scores)
    feedback, _ = EndpointFeedback.objects.update_or_create(
        api_id=operation.api_id,
        operation_key=operation.key,
        author=author,
        defaults={**scores, "comment": comment.strip(), "example": example.strip()},
    )
    feedback.full_clean()
    events.publish(
        "api.feedback_submitted",
        subject=feedback,
        actor=author,
        payload={"api_id": operation.api_id, "operation": operation.key},
    )
    return feedback


@transaction.atomic
def feedback_reply(
    *, feedback: EndpointFeedback, actor: User, reply: str, addressed: bool = False
) -> EndpointFeedback:
    """The owning team answers feedback and may mark it addressed."""
    if not policies.can_reply_to_feedback(actor, feedback):
        raise PermissionDenied("Only the API's maintainers reply to its feedback.")
    feedback.reply = reply.strip()
    feedback.replied_by = actor
    feedback.addressed_at = (feedback.addressed_at or clock.now()) if addressed else None
    feedback.full_clean()
    feedback.save(update_fields=["reply", "replied_by", "addressed_at", "updated_at"])
    events.publish(
        "feedback.replied",
        subject=feedback,
        actor=actor,
        payload={"recipient_ids": [feedback.author_id], "title": "Your API feedback got a reply"},
    )
    return feedback
