"""Article Markdown: rendered once on write, with [[slug]] links resolved to published articles."""

import hashlib

from nexus.core.markdown import LinkTarget, RenderedMarkdown, render_markdown
from nexus.knowledge.models import Article, ArticleStatus


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


def render_article_body(body: str) -> RenderedMarkdown:
    """An article body as sanitised HTML, its table of contents, links and reading time."""
    return render_markdown(body, link_resolver=resolve_article_link)


def render_comment_body(body: str) -> str:
    """A comment as sanitised HTML; comments resolve no wiki links, so they share the cache."""
    return render_markdown(body).html
