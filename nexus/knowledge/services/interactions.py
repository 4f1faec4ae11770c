"""Comments (one level of replies), "helpful" reactions and bookmarks."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from nexus.accounts.models import User
from nexus.core import clock, events
from nexus.knowledge import policies
from nexus.knowledge.models import (
    Article,
    Bookmark,
    Comment,
    Reaction,
    ReactionKind,
)
from nexus.knowledge.rendering import render_comment_body

COMMENT_MAX_CHARS = 20_000
NO_INTERACTION = "You may not react to or bookmark this article."


def _clean_comment_body(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": ["Write something first."]})
    if len(body) > COMMENT_MAX_CHARS:
        raise ValidationError({"body": [f"Keep comments within {COMMENT_MAX_CHARS} characters."]})
    return body


@transaction.atomic
def comment_create(
    *, article: Article, author: User, body: str, parent: Comment | None = None
) -> Comment:
    """Comment on a published article, or reply to a top-level comment on it."""
    if not policies.can_interact(author, article):
        raise PermissionDenied("You may not comment on this article.")
    body = _clean_comment_body(body)
    if not article.is_published:
        raise ValidationError({"article": ["Only published articles take comments."]})
    if parent is not None:
        if parent.article_id != article.pk:
            raise ValidationError({"parent": ["That comment belongs to another article."]})
        if parent.parent_id is not None:
            raise ValidationError({"parent": ["Replies go to top-level comments only."]})
        if parent.is_removed:
            raise ValidationError({"parent": ["That comment was removed."]})
    comment = Comment.objects.create(
        article=article,
        author=author,
        parent=parent,
        body=body,
        body_html=render_comment_body(body),
    )
    Article.objects.filter(pk=article.pk).update(comment_count=F("comment_count") + 1)
    events.publish(
        "article.commented",
        subject=article,
        actor=author,
        payload={
            "article_id": article.pk,
            "slug": article.slug,
            "title": article.title,
            "url": f"{article.get_absolute_url()}#comment-{comment.pk}",
            "article_author_id": article.author_id,
            "comment_id": comment.pk,
            "parent_id": parent.pk if parent else None,
            # Routing keys (docs/events.md): commenters follow the article; a reply reaches the
            # author of the comment it answers.
            "follower_ids": [author.pk],
            "recipient_ids": [parent.author_id] if parent and parent.author_id != author.pk else [],
        },
    )
    return comment


@transaction.atomic
def comment_update(*, actor: User, comment: Comment, body: str) -> Comment:
    """Edit a comment's text (its author only, and not once it is removed)."""
    if not policies.can_edit_comment(actor, comment):
        raise PermissionDenied("Only its author may edit this comment, and not once removed.")
    comment.body = _clean_comment_body(body)
    comment.body_html = render_comment_body(comment.body)
    comment.edited_at = clock.now()
    comment.save(update_fields=["body", "body_html", "edited_at", "updated_at"])
    return comment


@transaction.atomic
def comment_remove(*, comment: Comment, actor: User) -> Comment:
    """Remove a comment (by its author or a moderator); the row stays so replies keep context."""
    if not policies.can_remove_comment(actor, comment):
        raise PermissionDenied("Only its author or a mentor may remove this comment.")
    removed = Comment.objects.filter(pk=comment.pk, removed_at__isnull=True).update(
        removed_at=clock.now(), removed_by=actor, body="", body_html=""
    )
    if removed:
        Article.objects.filter(pk=comment.article_id, comment_count__gt=0).update(
            comment_count=F("comment_count") - 1
        )
    comment.refresh_from_db()
    return comment


@transaction.atomic
def reaction_add(*, article: Article, user: User, kind: str = ReactionKind.HELPFUL) -> bool:
    """React to an article once; returns whether this call added the reaction."""
    if not policies.can_interact(user, article):
        raise PermissionDenied(NO_INTERACTION)
    if kind not in ReactionKind.values:
        raise ValidationError({"kind": [f"Choose one of: {', '.join(ReactionKind.values)}."]})
    if not article.is_published:
        raise ValidationError({"article": ["Only published articles take reactions."]})
    _reaction, created = Reaction.objects.get_or_create(article=article, user=user, kind=kind)
    if created:
        Article.objects.filter(pk=article.pk).update(helpful_count=F("helpful_count") + 1)
    return created


@transaction.atomic
def reaction_remove(*, article: Article, user: User, kind: str = ReactionKind.HELPFUL) -> bool:
    """Take a reaction back; returns whether there was one."""
    if not policies.can_interact(user, article):
        raise PermissionDenied(NO_INTERACTION)
    deleted, _ = Reaction.objects.filter(article=article, user=user, kind=kind).delete()
    if deleted:
        Article.objects.filter(pk=article.pk, helpful_count__gt=0).update(
            helpful_count=F("helpful_count") - 1
        )
    return bool(deleted)


@transaction.atomic
def bookmark_add(*, article: Article, user: User) -> bool:
    """Put an article on the user's reading list; returns whether it was new there."""
    if not policies.can_interact(user, article):
        raise PermissionDenied(NO_INTERACTION)
    _bookmark, created = Bookmark.objects.get_or_create(article=article, user=user)
    if created:
        Article.objects.filter(pk=article.pk).update(bookmark_count=F("bookmark_count") + 1)
    return created


@transaction.atomic
def bookmark_remove(*, article: Article, user: User) -> bool:
    """Take an article off the reading list; returns whether it was there."""
    if not policies.can_interact(user, article):
        raise PermissionDenied(NO_INTERACTION)
    deleted, _ = Bookmark.objects.filter(article=article, user=user).delete()
    if deleted:
        Article.objects.filter(pk=article.pk, bookmark_count__gt=0).update(
            bookmark_count=F("bookmark_count") - 1
        )
    return bool(deleted)
