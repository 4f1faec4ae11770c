"""Mentorship's answers to knowledge's review questions (nexus.knowledge.reviews)."""

from django.template.loader import render_to_string

from nexus.accounts.models import User, Viewer
from nexus.knowledge.models import Article
from nexus.knowledge.reviews import ReviewGate, register_review_gate
from nexus.mentorship import selectors


def _required_for(author: User) -> bool:
    return selectors.article_review_required(author=author)


def _is_reviewer(user: User, article: Article) -> bool:
    return selectors.is_article_reviewer(user=user, article=article)


def _panel(viewer: Viewer, article: Article) -> str:
    """The latest round's decision and its line comments, for the author and the reviewers; a
    published article shows it to its author only (nobody else needs the history there)."""
    if not isinstance(viewer, User):
        return ""
    if article.is_published and viewer.pk != article.author_id:
        return ""
    latest = selectors.review_requests_visible(viewer=viewer, article=article).first()
    if latest is None:
        return ""
    comments = selectors.review_comments_of(article=article).filter(request=latest)
    anchored = selectors.anchor_comments(comments, lines=selectors.body_lines(article.body))
    decided = list(latest.reviews.all())
    return render_to_string(
        "mentorship/partials/article_panel.html",
        {"round": latest, "review": decided[0] if decided else None, "comments": anchored},
    )


ARTICLE_REVIEW_GATE = ReviewGate(required_for=_required_for, is_reviewer=_is_reviewer, panel=_panel)

# knowledge asks "must this be reviewed, and by whom?" without importing mentorship.
register_review_gate(ARTICLE_REVIEW_GATE)
