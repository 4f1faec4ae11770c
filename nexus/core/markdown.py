"""The one way Markdown becomes HTML: CommonMark + GFM extras, highlighted code, sanitised output.

Everything a user writes (articles, challenges, journal entries, comments) goes through
`render_markdown`, and everything it returns has been through the nh3 allowlist below, so templates
may mark `html` safe. Raw HTML in the source is parsed (harmless inline tags such as <kbd> survive)
but only what the allowlist names reaches the page.
"""

import hashlib
import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import nh3
from django.core.cache import caches
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

# Part of every cache key: bump it whenever the output for the same text changes (new plugin,
# allowlist change), and every cached rendering is ignored from the next read on.
RENDERER_VERSION = 1
CACHE_TIMEOUT_SECONDS = 24 * 60 * 60
WORDS_PER_MINUTE = 200
# Pygments lexers are regex machines; past this size a code block is shown plain, so one huge
# paste cannot make a render slow.
HIGHLIGHT_MAX_CHARS = 100_000
# The fence languages most notes use (bash, python, sh and plaintext make up most of the shared
# journals'), loaded when a worker starts (`load_common_lexers`).
COMMON_LANGUAGES = (
    "bash",
    "console",
    "css",
    "diff",
    "dockerfile",
    "go",
    "graphql",
    "html",
    "http",
    "ini",
    "java",
    "javascript",
    "json",
    "nginx",
    "python",
    "sql",
    "text",
    "toml",
    "typescript",
    "yaml",
)
WIKILINK_MAX_CHARS = 200
# html5ever (inside nh3) walks the stack of open elements for many tags, so deeply nested raw HTML
# makes sanitising quadratic: 50,000 unclosed <div>s take half a minute. Markdown itself nests at
# most maxNesting deep; a document whose raw HTML nests deeper than this is rendered with its
# HTML shown as text instead.
MAX_HTML_DEPTH = 100
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"

# A handle starts after a non-word character (so e-mail addresses are not mentions) and does not
# end with punctuation (so "thanks @ada." mentions "ada").
MENTION = re.compile(r"(?<![\w@./+-])@([A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9_])?)")
HTML_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta"}
    | {"param", "source", "track", "wbr"}
)
# A second one of these closes the first instead of nesting inside it.
SIBLING_CLOSING_ELEMENTS = frozenset(("p", "li", "dt", "dd", "tr", "td", "th", "option"))
RAW_CODE_OPEN = re.compile(r"<(code|pre)\b", re.IGNORECASE)
RAW_CODE_CLOSE = re.compile(r"</(code|pre)\s*>", re.IGNORECASE)
# nh3 drops these elements with their content, so their text is not part of the plain text either.
RAW_HIDDEN_OPEN = re.compile(r"<(script|style)\b", re.IGNORECASE)
RAW_HIDDEN_CLOSE = re.compile(r"</(script|style)\s*>", re.IGNORECASE)

ALLOWED_TAGS = {
    *(f"h{level}" for level in range(1, 7)),
    *("p", "br", "hr", "blockquote", "div", "span", "pre", "code", "kbd"),
    *("em", "strong", "del", "s", "sup", "sub", "a", "img"),
    *("ul", "ol", "li", "input", "details", "summary"),
    *("table", "thead", "tbody", "tfoot", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "span": {"title"},
    "ol": {"start"},
    # Only text-align survives filter_style_properties: GFM tables express column alignment so.
    "th": {"style"},
    "td": {"style"},
}
# Classes are allowlisted by name, not just by tag, so user HTML cannot borrow the site's own
# classes (a fake "button" or an overlay) to dress up as interface.
ALLOWED_CLASSES = {
    "pre": {"highlight"},
    "span": {*(name for name in STANDARD_TYPES.values() if name), "wikilink", "wikilink-missing"},
    "a": {"wikilink"},
    "ul": {"contains-task-list"},
    "ol": {"contains-task-list"},
    "li": {"task-list-item"},
    "input": {"task-list-item-checkbox"},
}
URL_SCHEMES = {"http", "https", "mailto"}
URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
URL_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
IMAGE_SCHEMES = {"", "http", "https"}
LINK_REL = "noopener noreferrer nofollow"


@dataclass(frozen=True)
class LinkTarget:
    """Where a [[slug]] wiki link points: the article's title and URL."""

    title: str
    url: str


@dataclass(frozen=True)
class TocEntry:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    toc: list[TocEntry]
    wiki_links: list[str]
    mentions: list[str]
    plain_text: str
    reading_minutes: int


LinkResolver = Callable[[str], LinkTarget | None]


def render_markdown(text: str, *, link_resolver: LinkResolver | None = None) -> RenderedMarkdown:
    """Markdown to sanitised HTML plus its table of contents, links, mentions and plain text."""
    if link_resolver is not None:
        # Wiki-link targets come and go with other articles, so only resolver-free renders are
        # a pure function of the text and safe to share through the cache.
        return _render(text, link_resolver)
    key = _cache_key(text)
    cached = caches["best_effort"].get(key)
    if isinstance(cached, RenderedMarkdown):
        return cached
    rendered = _render(text, None)
    caches["best_effort"].set(key, rendered, CACHE_TIMEOUT_SECONDS)
    return rendered


def markdown_plain_text(text: str) -> str:
    """What a reader sees of a Markdown text, as text, read off its tokens without rendering
    them to HTML (no highlighting, no sanitising: nothing of it is HTML), for a summary that needs
    no more. The same text as `render_markdown(text).plain_text`, except where raw HTML nests too
    deep to render (the page then shows it as text; here it is dropped as any raw HTML is)."""
    return _plain_text(_parser(True).parse(text, {"link_resolver": None, "resolved": {}}))


def block_tokens(text: str) -> list[Token]:
    """The tokens the renderer sees for `text` (where each block starts and ends, for diffs)."""
    return _parser(True).parse(text, {"link_resolver": None, "resolved": {}})


def plain_text(rendered_html: str) -> str:
    """What a reader of rendered HTML sees, as text (for the search index): tags and the content
    of scripts and styles dropped, entities decoded. nh3 parses once, in Rust: many times faster
    than Django's strip_tags, which re-parses until nothing changes."""
    return html.unescape(nh3.clean(rendered_html, tags=set()))


def highlight_css() -> str:
    """The code-highlighting stylesheet: light by default, dark by preference or data-theme."""
    light = HtmlFormatter(style=LIGHT_STYLE)
    dark = HtmlFormatter(style=DARK_STYLE)
    # Token and background rules only: get_style_defs() would also emit an unscoped `pre` rule.
    dark_rules = _style_defs(dark, ['[data-theme="dark"] .highlight'])
    dark_preferred = _style_defs(dark, [':root:not([data-theme="light"]) .highlight'])
    return (
        f"{_style_defs(light, ['.highlight'])}\n"
        f"{dark_rules}\n"
        "@media (prefers-color-scheme: dark) {\n"
        f"{dark_preferred}\n"
        "}\n"
    )


def _style_defs(formatter: HtmlFormatter[str], selectors: list[str]) -> str:
    rules = [*formatter.get_background_style_defs(selectors)]
    rules += formatter.get_token_style_defs(selectors)
    return "\n".join(rules)


def _cache_key(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"markdown:v{RENDERER_VERSION}:{digest}"


def _render(
    text: str, link_resolver: LinkResolver | None, *, allow_html: bool = True
) -> RenderedMarkdown:
    parser = _parser(allow_html)
    env: dict[str, Any] = {"link_resolver": link_resolver, "resolved": {}}
    tokens = parser.parse(text, env)
    toc = _add_heading_anchors(tokens)
    raw_html = parser.renderer.render(tokens, parser.options, env)
    if allow_html and _has_raw_html(tokens) and _nesting_depth(raw_html) > MAX_HTML_DEPTH:
        return _render(text, link_resolver, allow_html=False)
    plain_text = _plain_text(tokens)
    words = len(plain_text.split())
    return RenderedMarkdown(
        html=_cleaner().clean(raw_html),
        toc=toc,
        wiki_links=_unique(token.meta["slug"] for token in _inline_tokens(tokens, "wikilink")),
        mentions=_mentions(tokens),
        plain_text=plain_text,
        reading_minutes=max(1, math.ceil(words / WORDS_PER_MINUTE)) if text.strip() else 0,
    )


@lru_cache(maxsize=2)
def _parser(allow_html: bool) -> MarkdownIt:
    # The commonmark preset keeps markdown-it's maxNesting of 20, which is what keeps
    # thousands of nested quotes or brackets linear instead of blowing the stack.
    parser = MarkdownIt("commonmark", {"html": allow_html, "highlight": _highlight})
    parser.enable(["table", "strikethrough"])
    parser.use(tasklists_plugin)
    parser.inline.ruler.before("link", "wikilink", _wikilink_rule)
    parser.add_render_rule("wikilink", _render_wikilink)
    return parser


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        # Task-list checkboxes are the only inputs: whatever the source says, they are
        # disabled checkboxes.
        tag_attribute_values={"input": {"checked": {"", "checked"}}},
        set_tag_attribute_values={"input": {"type": "checkbox", "disabled": "disabled"}},
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


def _has_raw_html(tokens: list[Token]) -> bool:
    return any(
        token.type == "html_block"
        or any(child.type == "html_inline" for child in token.children or [])
        for token in tokens
    )


def _nesting_depth(html: str, limit: int = MAX_HTML_DEPTH) -> int:
    """How deep the elements nest, never underestimating what an HTML5 parser would build.

    An end tag counts only when it closes the innermost open element, so stray or misnested
    end tags cannot hide depth; the count stops once it passes `limit`.
    """
    open_elements: list[str] = []
    deepest = 0
    for match in HTML_TAG.finditer(html):
        name = match[2].lower()
        if match[1]:
            if open_elements and open_elements[-1] == name:
                open_elements.pop()
        elif name not in VOID_ELEMENTS and not (
            name in SIBLING_CLOSING_ELEMENTS and open_elements and open_elements[-1] == name
        ):
            open_elements.append(name)
            deepest = max(deepest, len(open_elements))
            if deepest > limit:
                break
    return deepest


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """A second look at URLs: no control characters at all (nh3 takes a "javascript:" broken up
    by them for a harmless relative URL), and images from http(s) or relative paths only."""
    if attribute not in ("href", "src"):
        return value
    if URL_CONTROL_CHARACTERS.search(value):
        return None
    scheme = URL_SCHEME.match(value.strip())
    allowed = IMAGE_SCHEMES if tag == "img" else URL_SCHEMES | {""}
    return value if (scheme[1].lower() if scheme else "") in allowed else None


def _highlight(code: str, language: str, attributes: str) -> str:
    lexer = _lexer(language.lower()) if language else None
    if lexer is None or len(code) > HIGHLIGHT_MAX_CHARS:
        return ""  # markdown-it then emits the plain, escaped block
    spans = highlight(code, lexer, _code_formatter())
    return f'<pre class="highlight"><code>{spans}</code></pre>\n'


@lru_cache(maxsize=1)
def _code_formatter() -> HtmlFormatter[str]:
    # Built once: a formatter computes its whole style table on construction.
    return HtmlFormatter(nowrap=True)


def load_common_lexers() -> None:
    """Load the lexers of COMMON_LANGUAGES now: the first use of each costs 1-30 ms (its module
    imported, its patterns compiled), which a worker pays once at start rather than inside the
    first job or request that highlights code. Before a pool forks, children share them."""
    for language in COMMON_LANGUAGES:
        _lexer(language)


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    if language not in _known_languages():
        # Asking pygments about a name it lacks scans every installed package for plugins
        # (~30 ms, for each such name a process meets: ```plaintext, ```mermaid); Nexus installs
        # no lexer plugins, so the built-in names are all there is.
        return None
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _known_languages() -> frozenset[str]:
    return frozenset(
        alias for _name, aliases, *_rest in get_all_lexers(plugins=False) for alias in aliases
    )


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    """[[slug]] or [[slug|label]] on one line, recognised before ordinary links."""
    start = state.pos
    if not state.src.startswith("[[", start):
        return False
    end = state.src.find("]]", start + 2, start + 4 + WIKILINK_MAX_CHARS)
    inner = state.src[start + 2 : end] if end > start else ""
    if not inner or any(char in inner for char in "[]\n"):
        return False
    target, _, label = inner.partition("|")
    slug = slugify(target)
    if not slug:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.meta = {
            "slug": slug,
            "label": label.strip() or target.strip(),
            "labelled": bool(label.strip()),
        }
    state.pos = end + 2
    return True


def _render_wikilink(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    slug, label = tokens[idx].meta["slug"], tokens[idx].meta["label"]
    resolved: dict[str, LinkTarget | None] = env["resolved"]
    if slug not in resolved:
        resolver = env["link_resolver"]
        resolved[slug] = resolver(slug) if resolver else None
    target = resolved[slug]
    if target is None:
        return (
            '<span class="wikilink wikilink-missing" title="No article yet">'
            f"{escapeHtml(label)}</span>"
        )
    text = label if tokens[idx].meta["labelled"] else target.title
    return (
        f'<a href="{escapeHtml(target.url)}" class="wikilink" title="{escapeHtml(target.title)}">'
        f"{escapeHtml(text)}</a>"
    )


def _add_heading_anchors(tokens: list[Token]) -> list[TocEntry]:
    """Give every heading a unique id (intro, intro-1, ...) and list them as the TOC."""
    toc: list[TocEntry] = []
    used: set[str] = set()
    # The next suffix to try per base, so a thousand "Example" headings stay linear.
    next_suffix: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = _inline_text(tokens[index + 1]).strip()
        anchor = base = slugify(text, allow_unicode=True) or "section"
        if anchor in used:
            suffix = next_suffix.get(base, 1)
            while f"{base}-{suffix}" in used:
                suffix += 1
            anchor, next_suffix[base] = f"{base}-{suffix}", suffix + 1
        used.add(anchor)
        token.attrSet("id", anchor)
        toc.append(TocEntry(level=int(token.tag[1]), text=text, anchor=anchor))
    return toc


def _plain_text(tokens: list[Token]) -> str:
    blocks = []
    for token in tokens:
        if token.type == "inline":
            blocks.append(_inline_text(token))
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content)
        elif token.type == "html_block":
            blocks.append(html.unescape(_text_cleaner().clean(token.content)))
    return "\n".join(block.strip() for block in blocks if block.strip())


@lru_cache(maxsize=1)
def _text_cleaner() -> nh3.Cleaner:
    """Keeps only the text of raw HTML, dropping script and style content as the page does."""
    return nh3.Cleaner(tags=set(), attributes={})


def _inline_text(token: Token) -> str:
    parts = []
    hidden_depth = 0
    for child in token.children or []:
        if child.type == "html_inline":
            hidden_depth += bool(RAW_HIDDEN_OPEN.match(child.content))
            hidden_depth -= bool(RAW_HIDDEN_CLOSE.match(child.content))
        elif hidden_depth > 0:
            continue
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(_inline_text(child))
        elif child.type == "wikilink":
            parts.append(child.meta["label"])
    return "".join(parts)


def _inline_tokens(tokens: list[Token], kind: str) -> list[Token]:
    return [
        child
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == kind
    ]


def _mentions(tokens: list[Token]) -> list[str]:
    """@handles in prose, lower-cased; code spans, code blocks and raw <code>/<pre> don't count."""
    handles = []
    for token in tokens:
        raw_code_depth = 0
        for child in token.children or [] if token.type == "inline" else []:
            if child.type == "html_inline":
                raw_code_depth += bool(RAW_CODE_OPEN.match(child.content))
                raw_code_depth -= bool(RAW_CODE_CLOSE.match(child.content))
            elif child.type == "text" and raw_code_depth <= 0:
                handles += [handle.lower() for handle in MENTION.findall(child.content)]
    return _unique(handles)


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(values))
