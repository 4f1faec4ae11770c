"""Mentorship's answers to knowledge's review questions (nexus.knowledge.reviews)."""

from nexus.accounts.models import User
from nexus.knowledge.models import Article
from nexus.knowledge.reviews import ReviewGate, register_review_gate
from nexus.mentorship import selectors


def _required_for(author: User) -> bool:
    return selectors.article_review_required(author=author)


def _is_reviewer(user: User, article: Article) -> bool:
    return selectors.is_article_reviewer(user=user, article=article)


ARTICLE_REVIEW_GATE = ReviewGate(required_for=_required_for, is_reviewer=_is_reviewer)

# knowledge asks "must this be reviewed, and by whom?" without importing mentorship.
register_review_gate(ARTICLE_REVIEW_GATE)
