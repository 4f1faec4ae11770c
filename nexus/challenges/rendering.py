"""Challenge, solution and comment Markdown: rendered once on write through core's renderer."""

from nexus.challenges.models import EXCERPT_MAX_CHARS
from nexus.core.markdown import render_markdown


def render_body(text: str) -> str:
    """Sanitised HTML for a Markdown body (no wiki links in challenges, so the render is cached)."""
    return render_markdown(text).html


def excerpt(text: str) -> str:
    """The start of a Markdown body as plain text on one line, cut at a word, for lists."""
    plain = " ".join(render_markdown(text).plain_text.split())
    if len(plain) <= EXCERPT_MAX_CHARS:
        return plain
    return plain[: EXCERPT_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
