"""Markdown rendering: the features authors use, and sanitising checked by parsing the output."""

import re
from html.parser import HTMLParser

import pytest

from nexus.core import markdown
from nexus.core.markdown import (
    LinkTarget,
    RenderedMarkdown,
    TocEntry,
    highlight_css,
    render_markdown,
)
from tests import hostile
from tests.shared import require, shared_path

# What may appear in rendered output, written out here rather than imported, so a loosened
# allowlist in the module fails these tests instead of silently agreeing with them.
PERMITTED_ELEMENTS = {
    *(f"h{level}" for level in range(1, 7)),
    *("p", "br", "hr", "blockquote", "div", "span", "pre", "code", "kbd", "em", "strong"),
    *("del", "s", "sup", "sub", "a", "img", "ul", "ol", "li", "input", "details", "summary"),
    *("table", "thead", "tbody", "tfoot", "tr", "th", "td"),
}
FORBIDDEN_ELEMENTS = {
    *("script", "style", "svg", "math", "iframe", "frame", "frameset", "object", "embed"),
    *("applet", "form", "input:not-checkbox", "button", "textarea", "select", "base", "meta"),
    *("link", "template", "noscript", "xmp", "plaintext", "portal", "image", "use", "animate"),
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
URL_ATTRIBUTES |= {"background", "cite", "ping", "lowsrc", "dynsrc", "codebase", "manifest"}
FORBIDDEN_SCHEMES = {"javascript", "vbscript", "data"}
PERMITTED_SCHEMES = {"http", "https", "mailto"}
URL_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# Browsers drop ASCII tab and newlines anywhere in a URL and C0 controls and spaces around it.
URL_IGNORED_CHARACTERS = re.compile(r"[\x00-\x20]")


class ElementCollector(HTMLParser):
    """Every element of an HTML fragment with its attributes, as a browser-like parser sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def elements_of(html: str) -> list[tuple[str, dict[str, str]]]:
    collector = ElementCollector()
    collector.feed(html)
    collector.close()
    return [
        (tag, {name: value or "" for name, value in attrs}) for tag, attrs in collector.elements
    ]


def url_scheme(value: str) -> str:
    match = URL_SCHEME.match(URL_IGNORED_CHARACTERS.sub("", value).lower())
    return match[1] if match else ""


def safety_problems(html: str) -> list[str]:
    """Everything in the HTML that the sanitiser must never let through."""
    problems = []
    for tag, attrs in elements_of(html):
        if tag in FORBIDDEN_ELEMENTS or tag not in PERMITTED_ELEMENTS:
            problems.append(f"element <{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"event handler {name} on <{tag}>")
            if name in URL_ATTRIBUTES:
                scheme = url_scheme(value)
                if scheme in FORBIDDEN_SCHEMES or (scheme and scheme not in PERMITTED_SCHEMES):
                    problems.append(f"{scheme}: URL in {name} of <{tag}>")
                if tag == "img" and name == "src" and scheme not in ("", "http", "https"):
                    problems.append(f"{scheme}: image source")
            if name == "style" and (tag not in ("th", "td") or not value.startswith("text-align:")):
                problems.append(f"style {value!r} on <{tag}>")
        if tag == "input" and (attrs.get("type") != "checkbox" or "disabled" not in attrs):
            problems.append(f"enabled or non-checkbox input {attrs}")
        if tag == "a" and "href" in attrs:
            rel = set(attrs.get("rel", "").split())
            if not {"noopener", "noreferrer", "nofollow"} <= rel:
                problems.append(f"link without rel=noopener noreferrer nofollow: {attrs}")
    return problems


# sanitising: the project's own corpus (tests/data), then the shared one (../shared, in CI)


@pytest.mark.parametrize("source", hostile.params(hostile.xss_vectors()))
def test_every_own_xss_vector_renders_safe(source):
    assert safety_problems(render_markdown(source).html) == []


def test_the_own_xss_corpus_covers_every_class_of_attack():
    classes = hostile.xss_classes()
    for name in (
        *("raw-html", "event-handlers", "svg-and-mathml", "entity-and-case-tricks"),
        *("nested-and-broken-tags", "markdown-breakouts", "javascript-url-spellings"),
        *("javascript-urls", "vbscript-urls", "data-html-urls", "data-svg-urls", "data-png-urls"),
    ):
        assert len(classes.get(name, [])) >= 10, name


@pytest.mark.parametrize("entry", hostile.harmless_markdown(), ids=lambda entry: entry["keeps"])
def test_harmless_writing_that_looks_hostile_keeps_its_text(entry):
    html = render_markdown(entry["markdown"]).html
    collector = ElementCollector()
    collector.feed(html)
    assert entry["keeps"] in "".join(collector.text)
    assert safety_problems(html) == []


@pytest.mark.parametrize("payload", hostile.params(hostile.shared_xss_payloads()))
def test_every_shared_xss_payload_renders_safe(payload):
    assert safety_problems(render_markdown(payload).html) == []


def test_the_shared_xss_corpus_is_substantial():
    require(hostile.SHARED_XSS)
    assert len(hostile.shared_xss_payloads()) >= 100


FIRST_OF_EACH_CLASS = [sources[0] for sources in hostile.xss_classes().values()]


@pytest.mark.parametrize("source", FIRST_OF_EACH_CLASS)
def test_hostile_input_is_safe_through_a_resolver_too(source):
    resolver = lambda slug: LinkTarget(title="T", url="javascript:alert(1)")  # noqa: E731
    assert safety_problems(render_markdown(source + " [[page]]", link_resolver=resolver).html) == []


def test_a_resolver_returning_a_javascript_url_cannot_make_a_live_link():
    html = render_markdown(
        "[[page]]", link_resolver=lambda slug: LinkTarget("T", "javascript:alert(1)")
    ).html
    assert [attrs.get("href") for tag, attrs in elements_of(html) if tag == "a"] == [None]


def test_the_checker_itself_catches_what_it_must():
    # Guards the guard: if the parser-based checker went blind, every test above would pass.
    assert safety_problems("<script>alert(1)</script>")
    assert safety_problems(
        '<a href="java&#x09;script:alert(1)" rel="noopener noreferrer nofollow">x</a>'
    )
    assert safety_problems('<img src="data:image/png;base64,AAAA">')
    assert safety_problems('<p onclick="x">x</p>')
    assert safety_problems("<svg></svg>")
    assert safety_problems('<a href="https://example.com">no rel</a>')


# what survives sanitising


def test_harmless_inline_html_survives():
    html = render_markdown(
        "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, x<sup>2</sup>\n\n"
        "<details><summary>More</summary>\n\nHidden *text*\n\n</details>"
    ).html
    tags = [tag for tag, _ in elements_of(html)]
    assert tags.count("kbd") == 2
    assert {"sub", "sup", "details", "summary", "em"} <= set(tags)


def test_links_keep_http_https_mailto_and_relative_urls_with_rel():
    html = render_markdown(
        "[a](https://example.com/x) [b](http://example.com) [c](mailto:ada@example.com) "
        "[d](/kb/django/) [e](#intro) [f](ftp://example.com/file)"
    ).html
    links = [attrs for tag, attrs in elements_of(html) if tag == "a"]
    assert [link.get("href") for link in links] == [
        "https://example.com/x",
        "http://example.com",
        "mailto:ada@example.com",
        "/kb/django/",
        "#intro",
        None,
    ]
    assert all(link["rel"] == "noopener noreferrer nofollow" for link in links)


def test_images_keep_http_and_relative_sources_only():
    html = render_markdown(
        "![a](https://example.com/a.png) ![b](/media/b.png) ![c](data:image/png;base64,AAAA) "
        '<img src="mailto:x@example.com" alt="d">'
    ).html
    images = [attrs for tag, attrs in elements_of(html) if tag == "img"]
    assert [image.get("src") for image in images] == [
        "https://example.com/a.png",
        "/media/b.png",
        None,
        None,
    ]
    assert [image["alt"] for image in images] == ["a", "b", "c", "d"]


def test_classes_outside_the_allowlist_are_removed():
    html = render_markdown(
        '<span class="btn btn-danger wikilink">x</span> <p class="lead">y</p>'
    ).html
    spans = [attrs for tag, attrs in elements_of(html) if tag == "span"]
    assert spans == [{"class": "wikilink"}]
    assert all("class" not in attrs for tag, attrs in elements_of(html) if tag == "p")


def test_ids_are_kept_on_headings_only():
    html = render_markdown('<div id="login">x</div>\n\n<h2 id="custom">y</h2>').html
    assert [(tag, attrs.get("id")) for tag, attrs in elements_of(html)] == [
        ("div", None),
        ("h2", "custom"),
    ]


def test_raw_inputs_become_disabled_checkboxes():
    html = render_markdown('<input type="text" value="x" name="q">').html
    assert [attrs for tag, attrs in elements_of(html) if tag == "input"] == [
        {"type": "checkbox", "disabled": "disabled"}
    ]


# Markdown features


def test_headings_get_anchors_and_a_table_of_contents():
    rendered = render_markdown("# Getting started\n\n## Install `uv`\n\ntext\n\n### Next *steps*")
    assert rendered.toc == [
        TocEntry(level=1, text="Getting started", anchor="getting-started"),
        TocEntry(level=2, text="Install uv", anchor="install-uv"),
        TocEntry(level=3, text="Next steps", anchor="next-steps"),
    ]
    headings = [(tag, attrs["id"]) for tag, attrs in elements_of(rendered.html) if tag[0] == "h"]
    assert headings == [("h1", "getting-started"), ("h2", "install-uv"), ("h3", "next-steps")]


def test_duplicate_headings_get_unique_anchors():
    rendered = render_markdown("# Usage\n\n## Usage\n\n## Usage 1\n\n## Usage-1\n\n# !!!\n\n# ???")
    anchors = [entry.anchor for entry in rendered.toc]
    assert anchors == ["usage", "usage-1", "usage-1-1", "usage-1-2", "section", "section-1"]
    assert len(set(anchors)) == len(anchors)


def test_non_ascii_headings_keep_their_letters_in_anchors():
    assert render_markdown("# Café résumé").toc[0].anchor == "café-résumé"


def test_tables_render_with_column_alignment():
    html = render_markdown("| Name | Score |\n|:-----|------:|\n| Ada | 10 |").html
    elements = elements_of(html)
    tags = [tag for tag, _ in elements]
    assert {"table", "thead", "tbody", "tr", "th", "td"} <= set(tags)
    cells = [attrs.get("style") for tag, attrs in elements if tag in ("th", "td")]
    assert cells == ["text-align:left", "text-align:right"] * 2


def test_task_lists_render_disabled_checkboxes():
    html = render_markdown("- [ ] write tests\n- [x] read the design").html
    boxes = [attrs for tag, attrs in elements_of(html) if tag == "input"]
    assert [("checked" in box, box["disabled"], box["type"]) for box in boxes] == [
        (False, "disabled", "checkbox"),
        (True, "disabled", "checkbox"),
    ]
    classes = {attrs.get("class") for tag, attrs in elements_of(html) if tag in ("ul", "li")}
    assert classes == {"contains-task-list", "task-list-item"}


def test_strikethrough_renders():
    assert ("s", {}) in elements_of(render_markdown("~~old~~ new").html)


def test_fenced_code_is_highlighted_with_classes():
    html = render_markdown('```python\ndef greet(name):\n    return f"hi {name}"\n```').html
    elements = elements_of(html)
    assert ("pre", {"class": "highlight"}) in elements
    classes = {attrs.get("class") for tag, attrs in elements if tag == "span"}
    assert {"k", "nf"} <= classes  # keyword, function name


def test_code_in_an_unknown_language_is_plain_and_escaped():
    html = render_markdown("```nosuchlanguage\n<b>bold?</b>\n```").html
    assert [tag for tag, _ in elements_of(html)] == ["pre", "code"]
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html


def test_an_unknown_language_is_not_looked_up_among_plugins(monkeypatch):
    # pygments scans every installed package's entry points for a name it lacks (~30 ms a name).
    def no_plugin_scan(group_name):
        raise AssertionError("pygments was asked to scan for lexer plugins")

    monkeypatch.setattr("pygments.plugin.iter_entry_points", no_plugin_scan)
    markdown._lexer.cache_clear()
    html = render_markdown("```mermaid-not-cached-before\ngraph TD; A-->B\n```").html
    assert [tag for tag, _ in elements_of(html)] == ["pre", "code"]
    assert markdown._lexer("python") is not None


def test_the_common_lexers_load_and_pygments_knows_every_name():
    markdown._lexer.cache_clear()
    markdown.load_common_lexers()
    assert markdown._lexer.cache_info().currsize == len(markdown.COMMON_LANGUAGES)
    missing = [name for name in markdown.COMMON_LANGUAGES if markdown._lexer(name) is None]
    assert missing == [], "names pygments does not know"


def test_code_without_language_is_plain():
    assert [tag for tag, _ in elements_of(render_markdown("```\nx = 1\n```").html)] == [
        "pre",
        "code",
    ]


def test_huge_code_blocks_are_left_unhighlighted(monkeypatch):
    monkeypatch.setattr(markdown, "HIGHLIGHT_MAX_CHARS", 10)
    html = render_markdown("```python\nx = 1 + 2 + 3 + 4\n```").html
    assert "span" not in {tag for tag, _ in elements_of(html)}


def test_highlight_css_covers_light_and_dark_schemes():
    css = highlight_css()
    assert ".highlight .k {" in css
    assert "@media (prefers-color-scheme: dark)" in css
    assert '[data-theme="dark"] .highlight .k' in css
    assert "\npre {" not in css  # nothing unscoped leaks onto the site's own <pre>


# wiki links


def resolver_for(articles: dict[str, str]):
    def resolve(slug: str) -> LinkTarget | None:
        title = articles.get(slug)
        return LinkTarget(title=title, url=f"/kb/{slug}/") if title else None

    return resolve


def test_wiki_links_to_known_articles_become_links():
    rendered = render_markdown(
        "See [[django-orm]] and [[django-orm|the ORM notes]].",
        link_resolver=resolver_for({"django-orm": "The Django ORM"}),
    )
    links = [attrs for tag, attrs in elements_of(rendered.html) if tag == "a"]
    assert [(link["href"], link["class"]) for link in links] == [
        ("/kb/django-orm/", "wikilink")
    ] * 2
    assert "The Django ORM</a>" in rendered.html
    assert "the ORM notes</a>" in rendered.html


def test_wiki_links_to_unknown_articles_are_marked_missing():
    rendered = render_markdown(
        "[[nowhere|Somewhere]]", link_resolver=resolver_for({"django-orm": "ORM"})
    )
    assert elements_of(rendered.html) == [
        ("p", {}),
        ("span", {"class": "wikilink wikilink-missing", "title": "No article yet"}),
    ]
    assert "Somewhere</span>" in rendered.html


def test_without_a_resolver_every_wiki_link_is_missing():
    html = render_markdown("[[django-orm]]").html
    assert ("span", {"class": "wikilink wikilink-missing", "title": "No article yet"}) in (
        elements_of(html)
    )
    assert "a" not in {tag for tag, _ in elements_of(html)}


def test_wiki_link_slugs_are_collected_normalised_and_once():
    rendered = render_markdown("[[Django ORM]] [[django-orm|again]] [[HTTP caching]] `[[in-code]]`")
    assert rendered.wiki_links == ["django-orm", "http-caching"]


def test_the_resolver_is_asked_once_per_slug():
    asked: list[str] = []

    def resolve(slug: str) -> LinkTarget | None:
        asked.append(slug)
        return None

    render_markdown("[[a]] [[a]] [[b]] [[a|A]]", link_resolver=resolve)
    assert asked == ["a", "b"]


def test_wiki_links_in_code_are_left_alone():
    rendered = render_markdown("`[[slug]]`\n\n```\n[[slug]]\n```")
    assert rendered.wiki_links == []
    assert "wikilink" not in rendered.html


def test_empty_or_multiline_brackets_are_not_wiki_links():
    assert render_markdown("[[]] [[ ]] [[!!!]] [[a\nb]]").wiki_links == []


# mentions, plain text, reading time


def test_mentions_are_collected_from_prose_only():
    rendered = render_markdown(
        "Thanks @Ada and @grace.hopper. Mail ada@example.com.\n\n"
        "`@inline` <code>@raw</code>\n\n```\n@fenced\n```\n\n> quoting @linus_t\n\n@ada again"
    )
    assert rendered.mentions == ["ada", "grace.hopper", "linus_t"]


def test_plain_text_has_the_words_without_markup():
    rendered = render_markdown(
        "# Title\n\nSome **bold** and [a link](https://example.com) and `code`.\n\n"
        "![diagram](/d.png)\n\n- [x] done\n\n<script>alert(1)</script> <b>kept</b>\n\n"
        "```python\nprint('hi')\n```"
    )
    assert rendered.plain_text == (
        "Title\nSome bold and a link and code.\ndiagram\ndone\nkept\nprint('hi')"
    )


def test_reading_minutes_round_up_at_200_words():
    assert render_markdown("").reading_minutes == 0
    assert render_markdown("one").reading_minutes == 1
    assert render_markdown(" ".join(["word"] * 200)).reading_minutes == 1
    assert render_markdown(" ".join(["word"] * 201)).reading_minutes == 2
    assert render_markdown(" ".join(["word"] * 1000)).reading_minutes == 5


def test_empty_input_renders_empty():
    assert render_markdown("") == RenderedMarkdown(
        html="", toc=[], wiki_links=[], mentions=[], plain_text="", reading_minutes=0
    )


# caching


def test_renders_without_a_resolver_are_cached_by_content(monkeypatch):
    first = render_markdown("# Cached *text*")
    monkeypatch.setattr(markdown, "_render", lambda *args, **kwargs: pytest.fail("re-rendered"))
    assert render_markdown("# Cached *text*") == first


def test_different_text_is_not_served_from_the_cache():
    assert render_markdown("one").html != render_markdown("two").html


def test_renders_with_a_resolver_are_never_cached():
    articles = {"page": "First title"}
    resolver = resolver_for(articles)
    assert "First title" in render_markdown("[[page]]", link_resolver=resolver).html
    articles["page"] = "Renamed"
    assert "Renamed" in render_markdown("[[page]]", link_resolver=resolver).html


def test_a_new_renderer_version_misses_the_old_cache(monkeypatch):
    render_markdown("versioned")
    calls = []
    real_render = markdown._render
    monkeypatch.setattr(
        markdown, "_render", lambda *a, **k: calls.append(1) or real_render(*a, **k)
    )
    monkeypatch.setattr(markdown, "RENDERER_VERSION", markdown.RENDERER_VERSION + 1)
    render_markdown("versioned")
    assert calls == [1]


# size and nesting


def test_a_512_kib_document_renders():
    section = (
        "## Section\n\nSome *prose* with `code`, a [link](https://example.com), @someone and "
        "[[a-page]].\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] task\n\n"
        "```python\ndef f(x):\n    return x * 2\n```\n\n> a quote\n\n"
    )
    text = (section * (512 * 1024 // len(section) + 1))[: 512 * 1024]
    rendered = render_markdown(text)
    assert len(rendered.toc) > 1000
    assert safety_problems(rendered.html) == []


@pytest.mark.parametrize(
    "text",
    [
        ">" * 10_000 + " deep",
        "[" * 10_000 + "x",
        "[[" * 10_000,
        "]" * 10_000,
        "*" * 10_000 + "x" + "*" * 10_000,
        "_a" * 10_000,
        "`" * 10_000,
        "".join("  " * depth + "- item\n" for depth in range(2_000)),
        "<" * 10_000,
        "![" * 10_000,
        "|" * 10_000 + "\n" + "|-" * 5_000,
    ],
    ids=[
        "quotes",
        "brackets",
        "wiki-brackets",
        "closing",
        "emphasis",
        "underscores",
        "backticks",
        "lists",
        "angles",
        "images",
        "table",
    ],
)
def test_pathological_nesting_renders(text):
    assert safety_problems(render_markdown(text).html) == []


def test_deeply_nested_raw_html_is_rendered_as_text():
    # html5ever's cost grows with the square of the nesting; deep raw HTML is escaped instead.
    rendered = render_markdown("<div>" * 50_000 + "\n\n**still markdown**")
    assert "div" not in {tag for tag, _ in elements_of(rendered.html)}
    assert "&lt;div&gt;" in rendered.html
    assert ("strong", {}) in elements_of(rendered.html)


def test_moderately_nested_raw_html_is_kept():
    html = render_markdown("<div>" * 20 + "x" + "</div>" * 20).html
    assert [tag for tag, _ in elements_of(html)].count("div") == 20


def test_misnested_end_tags_do_not_hide_depth():
    # Stray end tags that match nothing must not count as closing the open elements.
    assert markdown._nesting_depth("<div></span>" * 500) > markdown.MAX_HTML_DEPTH
    assert markdown._nesting_depth("<p>" * 500) == 1
    assert markdown._nesting_depth("<div></div>" * 500) == 1


# plain text without rendering (summaries): the same text a render reads off the tokens


def _differing_plain_text(texts: list[str]) -> list[str]:
    return [
        text
        for text in texts
        if markdown.markdown_plain_text(text) != render_markdown(text).plain_text
    ]


def test_plain_text_without_rendering_is_the_rendered_plain_text_for_our_own_corpus():
    texts = [
        *(source for _name, source in hostile.xss_vectors()),
        *(entry["markdown"] for entry in hostile.harmless_markdown()),
    ]
    assert len(texts) > 100
    assert _differing_plain_text(texts) == []


def test_plain_text_without_rendering_is_the_rendered_plain_text_for_the_shared_journals():
    journals = sorted(require(shared_path("corpus", "readmes")).glob("*.md"))
    assert len(journals) >= 50
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in journals]
    assert _differing_plain_text(texts) == []


def test_plain_text_without_rendering_drops_raw_html_tags_however_deep_they_nest():
    deep = (
        "<div>" * (markdown.MAX_HTML_DEPTH + 5)
        + "inside"
        + "</div>" * (markdown.MAX_HTML_DEPTH + 5)
    )
    text = f"Before.\n\n{deep}\n\nAfter."
    assert "<div>" in render_markdown(text).plain_text  # the page shows such HTML as text
    assert markdown.markdown_plain_text(text) == "Before.\ninside\nAfter."
