"""Writing articles: create, update with optimistic locking, archive, revert, link refresh."""

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from nexus.accounts.models import User
from nexus.core import clock, events, taskqueue
from nexus.core.markdown import LinkResolver
from nexus.knowledge import policies, reviews
from nexus.knowledge.models import (
    Article,
    ArticleKind,
    ArticleLink,
    ArticleRevision,
    ArticleStatus,
    Technology,
)
from nexus.knowledge.rendering import (
    ArticleLinks,
    content_hash,
    render_article_body,
    resolve_article_link,
)
from nexus.knowledge.services.slugs import unique_slug, unique_slugs
from nexus.knowledge.services.tags import tags_ensure, tags_normalise
from nexus.knowledge.services.technologies import MAX_TECHNOLOGIES, technologies_resolve

MAX_BODY_BYTES = 512 * 1024
SLUG_MAX_LENGTH = 120
CONTENT_FIELDS = ("title", "summary", "body", "kind", "status", "technologies", "tags")
NOT_AN_EDITOR = "Only the author or a mentor may edit this article."
NEEDS_REVIEW = "This article needs an approved review before it is published — request one."
REVIEW_ONLY = "An article goes into review by requesting a review."
IN_REVIEW_STATUS = "This article is in review: withdraw the review request to change its status."


class ArticleContent(TypedDict, total=False):
    """The fields an edit may change (CONTENT_FIELDS); those left out stay as they are."""

    title: str
    summary: str
    body: str
    kind: str
    status: str
    technologies: Sequence[str]
    tags: Sequence[str]


class ArticleVersionConflict(Exception):
    """A save was based on a version that is no longer the current one; nothing was written."""

    def __init__(self, *, current: Article, expected_version: int) -> None:
        super().__init__(
            f"Article {current.slug} is at version {current.version}, not {expected_version}."
        )
        self.current = current
        self.expected_version = expected_version


def normalise_newlines(text: str) -> str:
    """Browsers send CRLF, API clients LF: one form keeps diffs to the lines really changed."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _validate(fields: Mapping[str, str]) -> dict[str, list[str]]:
    """Field errors for the plain fields in `fields` (only those present are checked)."""
    errors: dict[str, list[str]] = {}
    if "title" in fields:
        title = fields["title"]
        if not title:
            errors["title"] = ["A title is required."]
        elif len(title) > 200:
            errors["title"] = ["Keep the title within 200 characters."]
    if "summary" in fields and len(fields["summary"]) > 500:
        errors["summary"] = ["Keep the summary within 500 characters."]
    if "body" in fields and len(fields["body"].encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        errors["body"] = [f"The body is larger than {MAX_BODY_BYTES // 1024} KiB."]
    if "kind" in fields and fields["kind"] not in ArticleKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(ArticleKind.values)}."]
    if "status" in fields and fields["status"] not in ArticleStatus.values:
        errors["status"] = [f"Choose one of: {', '.join(ArticleStatus.values)}."]
    return errors


def _taxonomy(
    changes: ArticleContent, errors: dict[str, list[str]]
) -> tuple[list[Technology] | None, list[str] | None]:
    """The technologies and tag names among `changes` (None for one not given); errors collected."""
    technologies = tags = None
    if "technologies" in changes:
        try:
            technologies = technologies_resolve(slugs=changes["technologies"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "tags" in changes:
        try:
            tags = tags_normalise(names=changes["tags"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return technologies, tags


def _render_into(article: Article, link_resolver: LinkResolver = resolve_article_link) -> list[str]:
    """Store the body's rendering on the article; returns the [[slug]] targets it links to."""
    rendered = render_article_body(article.body, link_resolver=link_resolver)
    article.body_html = rendered.html
    article.body_hash = content_hash(article.body)
    article.toc = [
        {"level": entry.level, "text": entry.text, "anchor": entry.anchor} for entry in rendered.toc
    ]
    article.reading_minutes = rendered.reading_minutes
    return [slug for slug in rendered.wiki_links if slug != article.slug]


def _sync_links(article: Article, targets: list[str]) -> None:
    ArticleLink.objects.filter(source=article).exclude(target_slug__in=targets).delete()
    ArticleLink.objects.bulk_create(
        [ArticleLink(source=article, target_slug=slug) for slug in targets],
        ignore_conflicts=True,
    )


def _revision(
    article: Article,
    *,
    editor: User,
    message: str,
    technology_slugs: Sequence[str],
    tag_names: Sequence[str],
    reverted_from: int | None = None,
) -> ArticleRevision:
    """The article as it stands, as its revision of this version (not saved)."""
    return ArticleRevision(
        article=article,
        number=article.version,
        title=article.title,
        summary=article.summary,
        body=article.body,
        body_html=article.body_html,
        body_hash=article.body_hash,
        kind=article.kind,
        status=article.status,
        technology_slugs=sorted(technology_slugs),
        tag_names=sorted(tag_names),
        editor=editor,
        message=message[:200],
        reverted_from=reverted_from,
    )


def _record_revision(
    article: Article, *, editor: User, message: str, reverted_from: int | None = None
) -> ArticleRevision:
    revision = _revision(
        article,
        editor=editor,
        message=message,
        technology_slugs=[tech.slug for tech in article.technologies.all()],
        tag_names=[tag.name for tag in article.tags.all()],
        reverted_from=reverted_from,
    )
    revision.save()
    return revision


def _event_payload(
    article: Article, editor: User, *, technologies: Sequence[Technology] | None = None
) -> dict[str, object]:
    """Ids and slugs, plus the routing keys of docs/events.md (url, author_id, follow_targets)."""
    if technologies is None:
        technologies = list(article.technologies.all())
    slugs = sorted(tech.slug for tech in technologies)
    return {
        "article_id": article.pk,
        "slug": article.slug,
        "title": article.title,
        "url": article.get_absolute_url(),
        "kind": article.kind,
        "author_id": article.author_id,
        "editor_id": editor.pk,
        "version": article.version,
        "technologies": slugs,
        "follow_targets": [["knowledge.technology", slug] for slug in slugs],
    }


def _schedule_link_refresh(slug: str) -> None:
    taskqueue.enqueue_on_commit("nexus.knowledge.tasks.refresh_links_to_article", slug)


def article_create(
    *,
    author: User,
    title: str,
    body: str = "",
    summary: str = "",
    kind: str = ArticleKind.CONCEPT,
    technologies: Sequence[str] = (),
    tags: Sequence[str] = (),
    status: str = ArticleStatus.DRAFT,
    slug: str = "",
    message: str = "",
) -> Article:
    """Create an article (revision 1); publishing it at once announces it."""
    if not policies.can_create_article(author):
        raise PermissionDenied("This account may not write articles.")
    fields = {"title": title.strip(), "summary": summary.strip(), "body": normalise_newlines(body)}
    fields |= {"kind": kind, "status": status}
    errors = _validate(fields)
    if status in (ArticleStatus.ARCHIVED, ArticleStatus.IN_REVIEW):
        errors["status"] = ["A new article is a draft or published."]
    elif status == ArticleStatus.PUBLISHED and reviews.review_required(author):
        errors["status"] = [NEEDS_REVIEW]
    tech_objects, tag_names = _taxonomy({"technologies": technologies, "tags": tags}, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        article = Article(author=author, **fields)
        if status == ArticleStatus.PUBLISHED:
            article.published_at = clock.now()
        _save_with_unique_slug(article, slug or fields["title"])
        targets = _render_into(article)
        article.save(update_fields=["body_html", "body_hash", "toc", "reading_minutes"])
        article.technologies.set(tech_objects or [])
        article.tags.set(tags_ensure(names=tag_names or []))
        _sync_links(article, targets)
        _record_revision(article, editor=author, message=message or "Created")
        if article.is_published:
            events.publish(
                "article.published",
                subject=article,
                actor=author,
                payload=_event_payload(article, author),
            )
            _schedule_link_refresh(article.slug)
    return article


@dataclass(frozen=True)
class ArticleDraft:
    """One article for `articles_create`: the arguments `article_create` takes."""

    title: str
    body: str = ""
    summary: str = ""
    kind: str = ArticleKind.CONCEPT
    technologies: Sequence[str] = ()
    tags: Sequence[str] = ()
    status: str = ArticleStatus.DRAFT
    message: str = ""


def _checked_draft(
    draft: ArticleDraft, technologies: Mapping[str, Technology], *, needs_review: bool
) -> tuple[dict[str, str], list[Technology], list[str]]:
    """The draft's fields, technologies and tag names as `article_create` checks them."""
    fields = {"title": draft.title.strip(), "summary": draft.summary.strip()}
    fields |= {"body": normalise_newlines(draft.body), "kind": draft.kind, "status": draft.status}
    errors = _validate(fields)
    if draft.status in (ArticleStatus.ARCHIVED, ArticleStatus.IN_REVIEW):
        errors["status"] = ["A new article is a draft or published."]
    elif draft.status == ArticleStatus.PUBLISHED and needs_review:
        errors["status"] = [NEEDS_REVIEW]
    wanted = list(dict.fromkeys(draft.technologies))
    if len(wanted) > MAX_TECHNOLOGIES:
        errors["technologies"] = [f"Choose at most {MAX_TECHNOLOGIES} technologies."]
    elif unknown := [slug for slug in wanted if slug not in technologies]:
        errors["technologies"] = [f"Unknown technology: {', '.join(unknown)}."]
    tags: list[str] = []
    try:
        tags = tags_normalise(names=draft.tags)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return fields, [technologies[slug] for slug in wanted], tags


def articles_create(
    *,
    author: User,
    drafts: Sequence[ArticleDraft],
    unreviewed_as_drafts: bool = False,
    needs_review: bool | None = None,
) -> list[Article | ValidationError]:
    """`article_create` for many articles at once, in a fixed number of statements: each draft
    gives its article, or the ValidationError that refused it (the others are still created).

    With `unreviewed_as_drafts`, an author whose articles are reviewed first gets the ones they
    wanted published as drafts to send for review, instead of a refusal of each. A caller that
    has asked `reviews.review_required(author)` already (an import, once for all its files)
    passes the answer as `needs_review`."""
    if not policies.can_create_article(author):
        raise PermissionDenied("This account may not write articles.")
    wanted = {slug for draft in drafts for slug in draft.technologies}
    technologies = {tech.slug: tech for tech in Technology.objects.filter(slug__in=wanted)}
    results: list[Article | ValidationError] = []
    checked: list[tuple[Article, ArticleDraft, list[Technology], list[str]]] = []
    now = clock.now()
    if needs_review is None:
        needs_review = reviews.review_required(author)
    if needs_review and unreviewed_as_drafts:
        drafts = [
            dataclasses.replace(draft, status=ArticleStatus.DRAFT)
            if draft.status == ArticleStatus.PUBLISHED
            else draft
            for draft in drafts
        ]
    for draft in drafts:
        try:
            fields, techs, tags = _checked_draft(draft, technologies, needs_review=needs_review)
        except ValidationError as exc:
            results.append(exc)
            continue
        article = Article(author=author, created_at=now, updated_at=now, **fields)
        if article.is_published:
            article.published_at = now
        results.append(article)
        checked.append((article, draft, techs, tags))
    if not checked:
        return results
    try:
        with transaction.atomic():
            _insert_articles(author, checked)
    except IntegrityError:
        # Another writer took one of the slugs meanwhile: one at a time, each finding its own.
        return [
            result if isinstance(result, ValidationError) else _article_create_one(author, draft)
            for result, draft in zip(results, drafts, strict=True)
        ]
    return results


def _article_create_one(author: User, draft: ArticleDraft) -> Article | ValidationError:
    try:
        return article_create(
            author=author,
            title=draft.title,
            body=draft.body,
            summary=draft.summary,
            kind=draft.kind,
            technologies=draft.technologies,
            tags=draft.tags,
            status=draft.status,
            message=draft.message,
        )
    except ValidationError as exc:
        return exc


def _insert_articles(
    author: User, checked: list[tuple[Article, ArticleDraft, list[Technology], list[str]]]
) -> None:
    articles = [article for article, *_rest in checked]
    slugs = unique_slugs(Article, [a.title for a in articles], max_length=SLUG_MAX_LENGTH)
    targets = {}
    links = ArticleLinks(article.body for article in articles)
    for article, slug in zip(articles, slugs, strict=True):
        article.slug = slug
        targets[slug] = _render_into(article, links)
    Article.objects.bulk_create(articles)
    names = sorted({name for *_rest, tag_names in checked for name in tag_names})
    tags = {tag.name: tag for tag in tags_ensure(names=names)}
    Article.technologies.through.objects.bulk_create(
        [
            Article.technologies.through(article_id=article.pk, technology_id=tech.pk)
            for article, _draft, techs, _tags in checked
            for tech in techs
        ]
    )
    Article.tags.through.objects.bulk_create(
        [
            Article.tags.through(article_id=article.pk, tag_id=tags[name].pk)
            for article, _draft, _techs, names in checked
            for name in names
        ]
    )
    ArticleLink.objects.bulk_create(
        [
            ArticleLink(source=article, target_slug=target)
            for article in articles
            for target in targets[article.slug]
        ],
        ignore_conflicts=True,
    )
    ArticleRevision.objects.bulk_create(
        [
            _revision(
                article,
                editor=author,
                message=draft.message or "Created",
                technology_slugs=[tech.slug for tech in techs],
                tag_names=names,
            )
            for article, draft, techs, names in checked
        ]
    )
    published = [(a, techs) for a, _d, techs, _n in checked if a.is_published]
    events.publish_many(
        "article.published",
        [
            events.Announcement(
                subject=article,
                actor=author,
                payload=_event_payload(article, author, technologies=techs),
            )
            for article, techs in published
        ],
    )
    if published:
        taskqueue.enqueue_on_commit(
            "nexus.knowledge.tasks.refresh_links_to_articles",
            [article.slug for article, _techs in published],
        )


def _save_with_unique_slug(article: Article, text: str) -> None:
    # Two authors creating the same title at once: the loser of the unique index takes the next.
    for _attempt in range(5):
        article.slug = unique_slug(Article, text, max_length=SLUG_MAX_LENGTH)
        try:
            with transaction.atomic():
                article.save()
            return
        except IntegrityError:
            continue
    raise ValidationError({"slug": ["Could not find a free slug; try another title."]})


def article_update(
    *,
    article: Article,
    editor: User,
    expected_version: int,
    message: str = "",
    reverted_from: int | None = None,
    **changes: Unpack[ArticleContent],
) -> Article:
    """Save changes made on top of `expected_version`; raises ArticleVersionConflict if stale.

    The compare-and-set happens in the database (UPDATE ... WHERE version = n), so of two
    concurrent saves of the same version exactly one wins and the other gets the conflict.
    """
    if not policies.can_edit_article(editor, article):
        raise PermissionDenied(NOT_AN_EDITOR)
    # Front doors unpack a client's fields, which no type checker sees: refuse what is not content.
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})
    if "status" in changes:
        _check_status_change(article, changes["status"])
    return _apply_update(
        article=article,
        editor=editor,
        expected_version=expected_version,
        message=message,
        reverted_from=reverted_from,
        changes=changes,
    )


def _check_status_change(article: Article, wanted: str) -> None:
    """The statuses only the review services move between, and the publish gate."""
    current = Article.objects.filter(pk=article.pk).values_list("status", flat=True).first()
    if wanted == current:
        return
    if wanted == ArticleStatus.IN_REVIEW:
        raise ValidationError({"status": [REVIEW_ONLY]})
    if current == ArticleStatus.IN_REVIEW:
        raise ValidationError({"status": [IN_REVIEW_STATUS]})
    if wanted == ArticleStatus.PUBLISHED and reviews.review_required(article.author):
        raise ValidationError({"status": [NEEDS_REVIEW]})


def _apply_update(
    *,
    article: Article,
    editor: User,
    expected_version: int,
    message: str,
    reverted_from: int | None,
    changes: ArticleContent,
) -> Article:
    """article_update's write, for callers that checked who asks and which status may follow."""
    plain = _plain_fields(changes)
    errors = _validate(plain)
    tech_objects, tag_names = _taxonomy(changes, errors)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        was_published = (
            Article.objects.filter(pk=article.pk).values_list("status", flat=True).first()
            == ArticleStatus.PUBLISHED
        )
        values: dict[str, object] = {**plain}
        targets: list[str] | None = None
        if "body" in plain and content_hash(plain["body"]) != article.body_hash:
            candidate = Article(slug=article.slug, body=plain["body"])
            targets = _render_into(candidate)
            values |= {
                name: getattr(candidate, name)
                for name in ("body_html", "body_hash", "toc", "reading_minutes")
            }
        now = clock.now()
        if plain.get("status") == ArticleStatus.PUBLISHED and article.published_at is None:
            values["published_at"] = now
        updated = Article.objects.filter(pk=article.pk, version=expected_version).update(
            version=F("version") + 1, updated_at=now, **values
        )
        if not updated:
            current = Article.objects.filter(pk=article.pk).first()
            if current is None:
                raise Article.DoesNotExist
            raise ArticleVersionConflict(current=current, expected_version=expected_version)
        article.refresh_from_db()
        if tech_objects is not None:
            article.technologies.set(tech_objects)
        if tag_names is not None:
            article.tags.set(tags_ensure(names=tag_names))
        if targets is not None:
            _sync_links(article, targets)
        _record_revision(
            article,
            editor=editor,
            message=message or "Edited",
            reverted_from=reverted_from,
        )
        _announce_update(article, editor=editor, was_published=was_published)
    return article


def _plain_fields(changes: ArticleContent) -> dict[str, str]:
    """The text fields among `changes`, title and summary stripped, the body with LF newlines."""
    plain: dict[str, str] = {}
    if "title" in changes:
        plain["title"] = changes["title"].strip()
    if "summary" in changes:
        plain["summary"] = changes["summary"].strip()
    if "body" in changes:
        plain["body"] = normalise_newlines(changes["body"])
    if "kind" in changes:
        plain["kind"] = changes["kind"]
    if "status" in changes:
        plain["status"] = changes["status"]
    return plain


def _announce_update(article: Article, *, editor: User, was_published: bool) -> None:
    payload = _event_payload(article, editor)
    if article.is_published and not was_published:
        events.publish("article.published", subject=article, actor=editor, payload=payload)
    elif article.is_published:
        events.publish("article.updated", subject=article, actor=editor, payload=payload)
    elif was_published:
        # Search and subscribers drop what is no longer public.
        name = (
            "article.archived"
            if article.status == ArticleStatus.ARCHIVED
            else "article.unpublished"
        )
        events.publish(name, subject=article, actor=editor, payload=payload)
    if article.is_published != was_published:
        # Wiki links to this article change between "missing" and a real link.
        _schedule_link_refresh(article.slug)


def article_archive(*, article: Article, editor: User) -> Article:
    """Archive (soft-delete) an article: it leaves lists and links but keeps its history."""
    if not policies.can_edit_article(editor, article):
        raise PermissionDenied(NOT_AN_EDITOR)
    if article.status == ArticleStatus.ARCHIVED:
        return article
    return article_update(
        article=article,
        editor=editor,
        expected_version=article.version,
        status=ArticleStatus.ARCHIVED,
        message="Archived",
    )


def article_revert(
    *,
    article: Article,
    editor: User,
    number: int,
    expected_version: int | None = None,
    message: str = "",
) -> Article:
    """Bring back the content of revision `number` as a new revision; the status is kept."""
    if not policies.can_edit_article(editor, article):
        raise PermissionDenied(NOT_AN_EDITOR)
    revision = ArticleRevision.objects.filter(article=article, number=number).first()
    if revision is None:
        raise ValidationError({"revision": [f"Revision {number} does not exist."]})
    known = set(
        Technology.objects.filter(slug__in=revision.technology_slugs).values_list("slug", flat=True)
    )
    return article_update(
        article=article,
        editor=editor,
        expected_version=article.version if expected_version is None else expected_version,
        message=message or f"Reverted to revision {number}",
        reverted_from=number,
        title=revision.title,
        summary=revision.summary,
        body=revision.body,
        kind=revision.kind,
        technologies=[slug for slug in revision.technology_slugs if slug in known],
        tags=revision.tag_names,
    )


def refresh_links_to(*, slug: str) -> int:
    """Re-render the articles whose bodies link to `slug` (it appeared, went, or was renamed).

    Only the derived HTML changes, so no new version: a concurrent edit that changed the body
    in the meantime already rendered it afresh and is left alone.
    """
    return refresh_links_to_many(slugs=[slug])


def refresh_links_to_many(*, slugs: Sequence[str]) -> int:
    """`refresh_links_to` for many slugs: one read finds the articles linking to any of them."""
    refreshed = 0
    sources = Article.objects.filter(outgoing_links__target_slug__in=slugs).distinct()
    for source in sources.only("pk", "slug", "body", "body_hash"):
        rendered = render_article_body(source.body)
        refreshed += Article.objects.filter(pk=source.pk, body_hash=source.body_hash).update(
            body_html=rendered.html
        )
    return refreshed
