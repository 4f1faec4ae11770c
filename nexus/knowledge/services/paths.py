"""Learning paths: ordered series of articles, and each learner's progress along them."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from nexus.accounts.models import User
from nexus.knowledge import policies
from nexus.knowledge.models import (
    Article,
    ArticleStatus,
    LearningPath,
    LearningPathStep,
    PathProgress,
)
from nexus.knowledge.services.slugs import unique_slug

MAX_STEPS = 100


def _articles(slugs: Sequence[str]) -> list[Article]:
    wanted = list(dict.fromkeys(slugs))
    if len(wanted) != len(slugs):
        raise ValidationError({"articles": ["An article appears twice in the path."]})
    if len(wanted) > MAX_STEPS:
        raise ValidationError({"articles": [f"A path has at most {MAX_STEPS} articles."]})
    found = {
        article.slug: article
        for article in Article.objects.filter(slug__in=wanted, status=ArticleStatus.PUBLISHED)
    }
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        raise ValidationError({"articles": [f"Unknown or unpublished: {', '.join(unknown)}."]})
    return [found[slug] for slug in wanted]


def _validate(title: str, description: str) -> None:
    errors = {}
    if not title:
        errors["title"] = ["A title is required."]
    elif len(title) > 200:
        errors["title"] = ["Keep the title within 200 characters."]
    if len(description) > 5000:
        errors["description"] = ["Keep the description within 5000 characters."]
    if errors:
        raise ValidationError(errors)


def _set_steps(path: LearningPath, articles: list[Article]) -> None:
    # Progress is kept for articles that stay in the path, whatever their new position.
    current = {step.article_id: step for step in path.steps.all()}
    keep = {article.pk for article in articles}
    path.steps.exclude(article_id__in=keep).delete()
    # Move survivors out of the way first so the unique (path, position) index never clashes.
    offset = MAX_STEPS * 10
    for step in current.values():
        if step.article_id in keep:
            LearningPathStep.objects.filter(pk=step.pk).update(position=step.position + offset)
    for position, article in enumerate(articles, start=1):
        kept = current.get(article.pk)
        if kept is not None:
            LearningPathStep.objects.filter(pk=kept.pk).update(position=position)
        else:
            LearningPathStep.objects.create(path=path, article=article, position=position)


@transaction.atomic
def learning_path_create(
    *, author: User, title: str, description: str = "", articles: Sequence[str] = ()
) -> LearningPath:
    """A new learning path through the given published articles, in order."""
    if not policies.can_create_path(author):
        raise PermissionDenied("This account may not create learning paths.")
    title, description = title.strip(), description.strip()
    _validate(title, description)
    article_objects = _articles(articles)
    path = LearningPath.objects.create(
        author=author,
        title=title,
        description=description,
        slug=unique_slug(LearningPath, title, max_length=120),
    )
    _set_steps(path, article_objects)
    return path


@transaction.atomic
def learning_path_update(
    *,
    actor: User,
    path: LearningPath,
    title: str | None = None,
    description: str | None = None,
    articles: Sequence[str] | None = None,
) -> LearningPath:
    """Change a path's text or its articles and their order (its author, or a mentor/admin)."""
    if not policies.can_edit_path(actor, path):
        raise PermissionDenied("Only the author or a mentor may edit this learning path.")
    new_title = path.title if title is None else title.strip()
    new_description = path.description if description is None else description.strip()
    _validate(new_title, new_description)
    path.title, path.description = new_title, new_description
    path.save(update_fields=["title", "description", "updated_at"])
    if articles is not None:
        _set_steps(path, _articles(articles))
    return path


@transaction.atomic
def path_step_mark(*, user: User, path: LearningPath, article: Article, done: bool) -> bool:
    """Mark an article of a path done (or not done) for a learner; idempotent."""
    if not policies.can_record_progress(user, path):
        raise PermissionDenied("You may not record progress on this learning path.")
    step = path.steps.filter(article=article).first()
    if step is None:
        raise ValidationError({"article": ["This article is not part of the path."]})
    if done:
        PathProgress.objects.get_or_create(user=user, step=step)
    else:
        PathProgress.objects.filter(user=user, step=step).delete()
    return done
