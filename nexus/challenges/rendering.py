"""Challenge, solution and comment Markdown: rendered once on write through core's renderer."""

try:
    from nexus.core.markdown import render_markdown
except ImportError:  # TEMPORARY until nexus/core/markdown.py lands on main: remove this branch.
    import nh3
    from markdown_it import MarkdownIt

    class _Rendered:
        def __init__(self, html: str) -> None:
            self.html = html

    def render_markdown(text: str, *, link_resolver: object = None) -> _Rendered:  # type: ignore[misc]
        return _Rendered(nh3.clean(MarkdownIt("commonmark").render(text)))


def render_body(text: str) -> str:
    """Sanitised HTML for a Markdown body (no wiki links in challenges, so the render is cached)."""
    return render_markdown(text).html
