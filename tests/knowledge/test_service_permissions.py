"""Knowledge's services refuse whom their policies refuse, whichever door (or script) calls them."""

import pytest

from nexus.knowledge import services
from nexus.knowledge.models import (
    Article,
    Bookmark,
    Comment,
    LearningPath,
    PathProgress,
    Reaction,
    Technology,
)
from tests.factories import UserFactory
from tests.knowledge.factories import make_article
from tests.refusals import assert_refused

pytestmark = pytest.mark.django_db


def _article_state(article):
    return Article.objects.values().get(pk=article.pk), article.revisions.count()


def _interactions(article):
    counts = Article.objects.values_list("helpful_count", "bookmark_count").get(pk=article.pk)
    return counts, Reaction.objects.count(), Bookmark.objects.count()


def _path(owner):
    article = make_article(owner)
    path = services.learning_path_create(author=owner, title="Start", articles=[article.slug])
    return path, article


def writing_as_an_inactive_account(owner, other_user, mentor):
    inactive = UserFactory(is_active=False)
    return lambda: make_article(inactive), lambda: Article.objects.count()


def editing_someone_elses_article(owner, other_user, mentor):
    article = make_article(owner)
    return (
        lambda: services.article_update(
            article=article, editor=other_user, expected_version=1, title="Vandalised"
        ),
        lambda: _article_state(article),
    )


def archiving_someone_elses_article(owner, other_user, mentor):
    article = make_article(owner)
    return (
        lambda: services.article_archive(article=article, editor=other_user),
        lambda: _article_state(article),
    )


def reverting_someone_elses_article(owner, other_user, mentor):
    article = make_article(owner)
    services.article_update(article=article, editor=owner, expected_version=1, title="Second")
    return (
        lambda: services.article_revert(article=article, editor=other_user, number=1),
        lambda: _article_state(article),
    )


def commenting_on_a_draft_one_cannot_see(owner, other_user, mentor):
    article = make_article(owner, status="draft")
    return (
        lambda: services.comment_create(article=article, author=other_user, body="Hello"),
        lambda: Comment.objects.count(),
    )


def editing_someone_elses_comment(owner, other_user, mentor):
    comment = services.comment_create(article=make_article(owner), author=owner, body="Mine")
    return (
        lambda: services.comment_update(actor=mentor, comment=comment, body="Rewritten"),
        lambda: Comment.objects.values().get(pk=comment.pk),
    )


def editing_a_removed_comment(owner, other_user, mentor):
    comment = services.comment_create(article=make_article(owner), author=owner, body="Mine")
    services.comment_remove(comment=comment, actor=mentor)
    return (
        lambda: services.comment_update(actor=owner, comment=comment, body="Back again"),
        lambda: Comment.objects.values().get(pk=comment.pk),
    )


def removing_someone_elses_comment(owner, other_user, mentor):
    comment = services.comment_create(article=make_article(owner), author=owner, body="Mine")
    return (
        lambda: services.comment_remove(comment=comment, actor=other_user),
        lambda: Comment.objects.values().get(pk=comment.pk),
    )


def reacting_to_a_draft_one_cannot_see(owner, other_user, mentor):
    article = make_article(owner, status="draft")
    return (
        lambda: services.reaction_add(article=article, user=other_user),
        lambda: _interactions(article),
    )


def taking_a_reaction_back_from_an_unpublished_article(owner, other_user, mentor):
    article = make_article(owner, status="draft")
    Reaction.objects.create(article=article, user=other_user)
    return (
        lambda: services.reaction_remove(article=article, user=other_user),
        lambda: _interactions(article),
    )


def bookmarking_a_draft_one_cannot_see(owner, other_user, mentor):
    article = make_article(owner, status="draft")
    return (
        lambda: services.bookmark_add(article=article, user=other_user),
        lambda: _interactions(article),
    )


def unbookmarking_an_unpublished_article(owner, other_user, mentor):
    article = make_article(owner, status="draft")
    Bookmark.objects.create(article=article, user=other_user)
    return (
        lambda: services.bookmark_remove(article=article, user=other_user),
        lambda: _interactions(article),
    )


def a_path_by_an_inactive_account(owner, other_user, mentor):
    inactive = UserFactory(is_active=False)
    return (
        lambda: services.learning_path_create(author=inactive, title="Mine"),
        lambda: LearningPath.objects.count(),
    )


def editing_someone_elses_path(owner, other_user, mentor):
    path, _article = _path(owner)
    return (
        lambda: services.learning_path_update(actor=other_user, path=path, title="Mine now"),
        lambda: LearningPath.objects.values().get(pk=path.pk),
    )


def progress_on_an_unpublished_path(owner, other_user, mentor):
    path, article = _path(owner)
    LearningPath.objects.filter(pk=path.pk).update(is_published=False)
    path.refresh_from_db()
    return (
        lambda: services.path_step_mark(user=other_user, path=path, article=article, done=True),
        lambda: PathProgress.objects.count(),
    )


def a_technology_added_by_a_learner(owner, other_user, mentor):
    return (
        lambda: services.technology_create(actor=other_user, name="FastAPI", category="apis"),
        lambda: Technology.objects.count(),
    )


def a_technology_edited_by_a_learner(owner, other_user, mentor):
    redis = Technology.objects.get(slug="redis")
    return (
        lambda: services.technology_update(actor=other_user, technology=redis, name="Valkey"),
        lambda: Technology.objects.values().get(pk=redis.pk),
    )


@pytest.mark.parametrize(
    "case",
    [
        writing_as_an_inactive_account,
        editing_someone_elses_article,
        archiving_someone_elses_article,
        reverting_someone_elses_article,
        commenting_on_a_draft_one_cannot_see,
        editing_someone_elses_comment,
        editing_a_removed_comment,
        removing_someone_elses_comment,
        reacting_to_a_draft_one_cannot_see,
        taking_a_reaction_back_from_an_unpublished_article,
        bookmarking_a_draft_one_cannot_see,
        unbookmarking_an_unpublished_article,
        a_path_by_an_inactive_account,
        editing_someone_elses_path,
        progress_on_an_unpublished_path,
        a_technology_added_by_a_learner,
        a_technology_edited_by_a_learner,
    ],
    ids=lambda case: case.__name__,
)
def test_a_service_refuses_what_its_policy_refuses(case, owner, other_user, mentor):
    assert_refused(*case(owner, other_user, mentor))


def test_mentors_curate_others_articles_paths_and_the_taxonomy(owner, mentor):
    article = make_article(owner)
    path, _article = _path(owner)
    services.article_update(article=article, editor=mentor, expected_version=1, title="Curated")
    services.learning_path_update(actor=mentor, path=path, title="Curated path")
    services.technology_create(actor=mentor, name="FastAPI", category="apis")
    assert Article.objects.get(pk=article.pk).title == "Curated"
    assert LearningPath.objects.get(pk=path.pk).title == "Curated path"
    assert Technology.objects.filter(name="FastAPI").exists()
