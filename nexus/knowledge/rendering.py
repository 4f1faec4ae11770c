"""Article Markdown: rendered once on write, with [[slug]] links resolved to published articles."""

import hashlib
import re
from collections.abc import Iterable

from django.utils.text import slugify

from nexus.core.markdown import LinkResolver, LinkTarget, RenderedMarkdown, render_markdown
from nexus.knowledge.models import Article, ArticleStatus

# What the renderer reads as a wiki link ([[target]] or [[target|label]]), found ahead of it.
WIKI_LINK = re.compile(r"\[\[([^\[\]\n]{1,200})\]\]")


def content_hash(text: str) -> str:
    """The SHA-256 of a body, stored next to its HTML so unchanged bodies are not re-rendered."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def resolve_article_link(slug: str) -> LinkTarget | None:
    """Where [[slug]] points: a published article, or None (shown as a missing link)."""
    article = (
        Article.objects.filter(slug=slug, status=ArticleStatus.PUBLISHED)
        .only("slug", "title")
        .first()
    )
    if article is None:
        return None
    return LinkTarget(title=article.title, url=article.get_absolute_url())


class ArticleLinks:
    """`resolve_article_link` for many bodies: one query finds every article they link to."""

    def __init__(self, bodies: Iterable[str]) -> None:
        targets = (match.partition("|")[0] for body in bodies for match in WIKI_LINK.findall(body))
        self.looked_up = {slug for target in targets if (slug := slugify(target))}
        found = Article.objects.filter(slug__in=self.looked_up, status=ArticleStatus.PUBLISHED)
        self.found = {
            article.slug: LinkTarget(title=article.title, url=article.get_absolute_url())
            for article in (found.only("slug", "title") if self.looked_up else [])
        }

    def __call__(self, slug: str) -> LinkTarget | None:
        if slug in self.looked_up:
            return self.found.get(slug)
        return resolve_article_link(slug)


def render_article_body(
    body: str, *, link_resolver: LinkResolver = resolve_article_link
) -> RenderedMarkdown:
    """An article body as sanitised HTML, its table of contents, links and reading time."""
    return render_markdown(body, link_resolver=link_resolver)


def render_comment_body(body: str) -> str:
    """A comment as sanitised HTML; comments resolve no wiki links, so they share the cache."""
    return render_markdown(body).html
