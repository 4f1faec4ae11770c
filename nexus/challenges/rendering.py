"""Challenge, solution and comment Markdown: rendered once on write through core's renderer."""

from nexus.core.markdown import render_markdown


def render_body(text: str) -> str:
    """Sanitised HTML for a Markdown body (no wiki links in challenges, so the render is cached)."""
    return render_markdown(text).html
