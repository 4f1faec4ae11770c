"""TEMPORARY private Markdown helper for journal bodies.

Replace with `nexus.core.markdown.render_markdown(text).html` as soon as nexus/core/markdown.py
lands on main (the brief's shared renderer); until then this renders CommonMark and sanitises
with nh3's default allowlist, so nothing unsanitised reaches a page.
"""

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


def render_body(text: str) -> str:
    """Markdown to sanitised HTML."""
    return nh3.clean(_markdown.render(text), link_rel="noopener noreferrer nofollow")
