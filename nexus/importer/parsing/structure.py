"""Markdown as a tree of sections holding lists, paragraphs and tables (markdown-it tokens).

Bold-only paragraphs ("**Core tools:**") count as headings one level below the current one, and a
document without any heading gets its short title-like lines promoted to headings first.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from nexus.importer.parsing.sections import classify_heading

_PARSER = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
# Leading/trailing emoji, symbols, numbering and punctuation around a heading's words.
EDGE_JUNK = re.compile(r"^[\W_\d]*?(?=[^\W\d_]|\d+\s*[A-Za-z])|(?:(?![)\]])[\s\W_])+$", re.UNICODE)
BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
NUMBERING = re.compile(r"^(?:\d+[.)]|[ivx]+\.)\s+", re.IGNORECASE)
LEAD_SEPARATOR = re.compile(r"^\s*(?:[:\-\u2013\u2014]+)\s*")
SPLIT_TITLE = re.compile(r"\s+[\u2013\u2014-]\s+|:\s+|\s+\(")
MISSING_SPACE_AFTER_NUMBER = re.compile(r"^( {0,3}\d{1,2}[.)])(?=[A-Z][^\t\n]*$)", re.MULTILINE)
# "** Key concepts: **" alone on a line: bold meant, though the inner spaces make it literal.
SPACED_BOLD_LINE = re.compile(r"^(\*\*|__)[ \t]+([^*_\n]*?\S)[ \t]+\1[ \t]*$", re.MULTILINE)
BOLD_LINE = re.compile(r"^(\*\*|__)[^*_]+\1$")
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})\s")
LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s")
CAPTION_LINE = re.compile(r"^[A-Z][^.!?:]{0,60}:\s*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
BULLETED_HEADING = re.compile(r"^[-*+][ \t]+(?=#{1,6}[ \t])", re.MULTILINE)
ATX_OR_SETEXT = re.compile(r"^ {0,3}#{1,6}\s|^ {0,3}(=+|-+)\s*$", re.MULTILINE)
PLAIN_HEADING_MAX_WORDS = 8
# Kinds whose entries are written as titles over their text (a challenge, a concept, a group of
# technologies); practices and plans are lines of their own.
SUB_HEADED_KINDS = frozenset({"challenges"})
PICTOGRAPH_HEADING_MAX_WORDS = 6
SHORT_TITLE_WORDS = 3
CELL_GAP = re.compile(r"\s*\t\s*")
# Marks that start a statement ("✅ Test early", "👉 Use env vars"), not a heading.
NOT_A_HEADING_MARK = frozenset("✅✔☑❌✖➡👉→•▶►★⭐✓✗")
# "Core Stack" or "Database Design:" alone on a line right above a list names that list.
LIST_CAPTION_MAX_WORDS = 5
# "Name: what it is", the name short and capitalised.
NAMED_LINE = re.compile(r"^([A-Z][^:.!?]{1,60}?)\s*:\s+(\S.*)$")
# "**Solution:**" over a list labels the list as the solution; it opens no section of its own.
LABEL_LINES = frozenset(
    {"problem", "problems", "challenge", "issue", "solution", "solutions", "fix", "resolution"}
    | {"solution implemented", "how i solved it", "what i did"}
)
# "Challenge: slow pages" labels a challenge; it is no section heading.
LABEL_WITH_TEXT = re.compile(
    r"^(?:problem|challenge|issue|solution|fix|resolution)s?\s*\d*\s*[:\-\u2013\u2014]\s*\S",
    re.IGNORECASE,
)
NOT_A_CAPTION = frozenset(
    {"solution", "solutions", "problem", "problems", "challenge", "issue", "fix", "fixes"}
    | {"example", "examples", "note"}
)


@dataclass
class Item:
    """One list item: its first paragraph (bold lead split off), more paragraphs, sub-items."""

    text: str
    lead: str = ""
    rest: str = ""
    paragraphs: list[str] = field(default_factory=list)
    children: list["Item"] = field(default_factory=list)
    # Every bold or italic run of the first paragraph: the names a sentence stresses.
    emphasised: list[str] = field(default_factory=list)
    # Its lines in the text: the first, and the one after the last (0-based).
    start_line: int = 0
    end_line: int = 0

    @property
    def title(self) -> str:
        """The item's name: its bold lead, else the words before a separator."""
        if self.lead:
            return self.lead
        return SPLIT_TITLE.split(self.text, maxsplit=1)[0].strip()

    @property
    def explanation(self) -> str:
        """What follows the name, with the item's further paragraphs and sub-items."""
        parts = (
            [self.rest] if self.lead else [self.text[len(self.title) :].lstrip(" :\u2013\u2014-(")]
        )
        parts += self.paragraphs + [child.text for child in self.children]
        return "\n".join(part for part in parts if part).strip()


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    title: str
    level: int
    raw_title: str = ""
    start_line: int = 0
    end_line: int = 0
    items: list[Item] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    # Each paragraph's source lines: "✅ Test early" and "✅ Log errors" on two lines are two
    # statements, though Markdown joins them into one paragraph.
    paragraph_lines: list[list[str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)
    # A Markdown heading, whose level the author chose; a bold or plain line's level is a guess
    # (one below the section it follows).
    marked: bool = True

    def walk(self) -> "list[Section]":
        """This section and every section below it, in document order."""
        found = [self]
        for child in self.children:
            found += child.walk()
        return found


def clean_title(text: str) -> str:
    """A heading's words without emoji, numbering, bold markers or trailing colons."""
    text = text.replace("*", "").replace("`", "").strip()
    text = EDGE_JUNK.sub("", text)
    text = NUMBERING.sub("", text)
    return " ".join(text.split())


def clean_line(text: str) -> str:
    """One source line as plain words: emphasis, code marks and leading symbols gone."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("*", "").replace("`", "")
    text = BACKSLASH_ESCAPE.sub(r"\1", text)
    return re.sub(r"^[\W_]+(?=\w)", "", text.strip().rstrip("\\").strip())


def inline_text(token: Token) -> str:
    """The readable text of an inline token: links keep their text, images and HTML go."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
    return " ".join("".join(parts).split())


def bold_lead(token: Token) -> tuple[str, str]:
    """("Title", "the rest") when an inline starts with bold (after emoji), else ("", text)."""
    children = [c for c in token.children or [] if c.type != "image"]
    index = 0
    while (
        index < len(children)
        and children[index].type == "text"
        and not clean_title(children[index].content)
    ):
        index += 1
    if index >= len(children) or children[index].type not in ("strong_open", "em_open"):
        return "", inline_text(token)
    closing = "strong_close" if children[index].type == "strong_open" else "em_close"
    lead_parts = []
    index += 1
    while index < len(children) and children[index].type != closing:
        if children[index].type in ("text", "code_inline"):
            lead_parts.append(children[index].content)
        index += 1
    rest_token = Token("inline", "", 0)
    rest_token.children = children[index + 1 :]
    lead = clean_title("".join(lead_parts))
    rest = LEAD_SEPARATOR.sub("", inline_text(rest_token))
    return lead, rest


def named_lines(section: "Section") -> list[Item]:
    """ "Backend: Django, Celery" or "**Caching:** fewer queries" on lines of their own in a
    paragraph: one entry each, like list items with a bold lead."""
    found = []
    for lines in section.paragraph_lines:
        for line in lines:
            if match := NAMED_LINE.match(line):
                found.append(Item(text=line, lead=match.group(1), rest=match.group(2)))
    return found


def emphasised_runs(token: Token) -> list[str]:
    """The text of every bold or italic run in an inline token."""
    runs: list[str] = []
    depth = 0
    for child in token.children or []:
        if child.type in ("strong_open", "em_open"):
            depth += 1
            if depth == 1:
                runs.append("")
        elif child.type in ("strong_close", "em_close"):
            depth = max(depth - 1, 0)
        elif depth and child.type in ("text", "code_inline"):
            runs[-1] += child.content
    return [run.strip() for run in runs if run.strip()]


def repair_markup(text: str) -> str:
    """Slips that change the structure: "1.Cache early" is a numbered item whose space went
    missing, "- ## Challenges" a heading that got a bullet by mistake, and "** Concepts **" a
    bold line with spaces inside its marks."""
    text = MISSING_SPACE_AFTER_NUMBER.sub(r"\1 ", text)
    text = SPACED_BOLD_LINE.sub(r"\1\2\1", text)
    return _drop_unclosed_fence(BULLETED_HEADING.sub("", text))


def _headings_inside_paragraphs(text: str) -> tuple[str, frozenset[int]]:
    """Lines Markdown would read as the end of what stands above them, though they head what
    follows, become headings (a heading interrupts a paragraph or a list, and no line is
    added); returns the text and the lines whose heading is only a guess.

    "Caching Strategies:" right under the last item of one list and over the next (a lazy
    continuation line) captions the next list: a heading one level below the Markdown heading
    it stands under. Bold lines are guesses, placed as a bold-only paragraph would be:
    "**Best Practices**" right under a line of text names a kind of section, "**Frontend**"
    right under a list item heads what follows, and so does "**Key Technologies**" right
    above "**Backend**"."""
    lines = text.split("\n")
    guessed = set()
    level = 0
    in_fence = False
    for index, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue
        if heading := ATX_HEADING.match(line):
            level = len(heading.group(1))
            continue
        if not (0 < level < 6 and 0 < index < len(lines) - 1):
            continue
        above, below = lines[index - 1], lines[index + 1]
        if (
            LIST_LINE.match(above)
            and LIST_LINE.match(below)
            and CAPTION_LINE.match(line)
            and len(line.split()) <= LIST_CAPTION_MAX_WORDS
        ):
            lines[index] = f"{'#' * (level + 1)} {line.strip()}"
        elif _is_bold_title(line) and _heads_what_follows(above, line, below):
            lines[index] = f"{'#' * (level + 1)} {line.strip()}"
            guessed.add(index)
    return "\n".join(lines), frozenset(guessed)


def _heads_what_follows(above: str, line: str, below: str) -> bool:
    """Whether a bold title line between `above` and `below` heads what follows it."""
    if LIST_LINE.match(above):
        return True
    starts_a_block = not above.strip() or ATX_HEADING.match(above) is not None
    if starts_a_block:
        return _is_bold_title(below)
    return not BOLD_LINE.match(above.strip()) and bool(
        classify_heading(clean_title(line.strip(" *_")))
    )


def _is_bold_title(line: str) -> bool:
    """ "**Backend**" alone on its line, no label ("**Solution:**")."""
    stripped = line.strip()
    return (
        BOLD_LINE.match(stripped) is not None
        and clean_title(stripped.strip("*_")).lower().rstrip(": ") not in LABEL_LINES
    )


def _drop_unclosed_fence(text: str) -> str:
    """A code fence never closed would make the rest of the journal code (often a snippet
    pasted from a chat, its closing fence lost): its opening line goes, so what follows is read
    as text. Line numbers stay as they were."""
    lines = text.split("\n")
    opener: int | None = None
    marker = ""
    for index, line in enumerate(lines):
        fence = FENCE.match(line)
        if fence is None:
            continue
        if opener is None:
            opener, marker = index, fence.group(1)
        elif (
            fence.group(1).startswith(marker[0])
            and len(fence.group(1)) >= len(marker)
            and not line.strip()[len(fence.group(1)) :].strip()
        ):
            opener = None
    if opener is None:
        return text
    lines[opener] = ""
    return "\n".join(lines)


def promote_plain_headings(text: str) -> str:
    """For a document with no Markdown headings: short title-like lines become `##` headings."""
    if ATX_OR_SETEXT.search(text):
        return text
    lines = text.split("\n")
    out: list[str] = []
    in_fence = False
    # Below a line naming a kind of section whose entries have titles ("Challenges and
    # Solutions"), other title lines ("Slow API calls") are its sub-headings.
    under_kind = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            out.append(stripped)
            continue
        if in_fence:
            out.append(line)
            continue
        previous_blank = index == 0 or not lines[index - 1].strip()
        words = stripped.split()
        title_shaped = (
            0 < len(words) <= PLAIN_HEADING_MAX_WORDS
            and stripped[0].isupper()
            and not stripped.endswith((".", ",", ";", "!", "?"))
            and "," not in stripped
            and not re.match(r"^[-*+]|\d+[.)]\s|[│├└|]", stripped)
            and ":" not in stripped.rstrip(":")
        )
        # Classified only when title-shaped: asked of every line, it was a quarter of parsing.
        names_kind = (
            title_shaped
            and bool(classify_heading(clean_title(stripped)))
            and _is_title_like(stripped)
        )
        looks_like_heading = title_shaped and (previous_blank or names_kind)
        # Indentation made of spaces would turn whole sections into code blocks.
        if not looks_like_heading:
            out.append(stripped)
        elif names_kind or not under_kind:
            under_kind = classify_heading(clean_title(stripped)) in SUB_HEADED_KINDS
            out.append(f"## {stripped}")
        else:
            out.append(f"### {stripped}")
    return "\n".join(out)


def _table(tokens: list[Token], start: int) -> tuple[Table, int]:
    header: list[str] = []
    rows: list[list[str]] = []
    row: list[str] = []
    index = start
    in_head = False
    while index < len(tokens) and tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline":
            row.append(inline_text(token))
        elif token.type == "tr_close":
            if in_head:
                header = row
            else:
                rows.append(row)
        index += 1
    return Table(header=header, rows=rows), index


def _list(tokens: list[Token], start: int) -> tuple[list[Item], int]:
    """Parse a bullet/ordered list starting at tokens[start] (the *_list_open token)."""
    close_type = tokens[start].type.replace("_open", "_close")
    items: list[Item] = []
    index = start + 1
    current: Item | None = None
    while index < len(tokens):
        token = tokens[index]
        if token.type == close_type and token.level == tokens[start].level:
            return items, index
        if token.type == "list_item_open":
            first, after = token.map or (0, 0)
            current = Item(text="", start_line=first, end_line=after)
            items.append(current)
        elif token.type in ("bullet_list_open", "ordered_list_open") and current is not None:
            children, index = _list(tokens, index)
            current.children += children
        elif token.type == "inline" and current is not None:
            if not current.text:
                lead, rest = bold_lead(token)
                current.text = inline_text(token)
                current.lead, current.rest = lead, rest
                current.emphasised = emphasised_runs(token)
            else:
                current.paragraphs.append(inline_text(token))
        index += 1
    return items, index


def _pasted_table(content: str) -> Table | None:
    """Lines whose cells are apart by tabs (a table copied from a web page) are a table, the
    first line its header."""
    rows = [CELL_GAP.split(line.strip()) for line in content.split("\n") if line.strip()]
    if len(rows) < 2 or any(len(row) < 2 for row in rows):
        return None
    return Table(header=rows[0], rows=rows[1:])


def _starts_with_pictograph(text: str) -> bool:
    mark = text.strip()[:1]
    return bool(mark) and unicodedata.category(mark) == "So" and mark not in NOT_A_HEADING_MARK


def _is_title_like(title: str) -> bool:
    """ "Challenges & Solutions", "Best practices": a heading's shape, not a statement's
    ("Struggled with Docker networking")."""
    words = [word for word in title.split() if len(word) > 3]
    capitalised = sum(1 for word in words if word[:1].isupper())
    return len(title.split()) <= SHORT_TITLE_WORDS or capitalised >= len(words) * 0.6


def _is_section_line(line: str, alone: bool, following: Token | None, next_text: str) -> bool:
    """ "⚠️ Challenges & Solutions" or "Best Practices" on a line of its own, not marked up as a
    heading: a short title-like line naming a kind of section opens that section, and so does
    a short title after a pictograph ("📚 API Documentation") over something that is not one
    more such line ("🔒 Security first" then "🧪 Test everything" are two statements)."""
    title = clean_title(clean_line(line))
    words = title.rstrip(":").split()
    if not (
        0 < len(words) <= PLAIN_HEADING_MAX_WORDS
        and not line.rstrip().endswith((".", ",", ";", "!", "?"))
        and ":" not in title.rstrip(":")
        and title.lower().rstrip(": ") not in LABEL_LINES
        and not LABEL_WITH_TEXT.match(title)
        and title[:1].isupper()
    ):
        return False
    pictograph = _starts_with_pictograph(line)
    if classify_heading(title):
        # A bold line is set apart as a heading whatever its case ("**Key concepts:**").
        bold = BOLD_LINE.match(line.strip()) is not None
        return pictograph or bold or _is_title_like(title)
    if not (pictograph and alone and len(words) <= PICTOGRAPH_HEADING_MAX_WORDS):
        return False
    if following is None or following.type == "heading_open":
        return False
    return following.type != "paragraph_open" or not _starts_with_pictograph(next_text)


def _titles_labelled_lines(first: str, remaining: str) -> bool:
    """ "**Challenge 1: Slow lists**" right above "**Problem:** …" with no blank line between:
    Markdown joins them into one paragraph, yet the bold line names what the labels tell."""
    return (
        _is_bold_title(first)
        and LABEL_WITH_TEXT.match(clean_line(remaining.partition("\n")[0])) is not None
    )


def _challenge_level(stack: list[Section], heading_level: int) -> int:
    """One level below the innermost guessed heading under the current Markdown heading that
    names the challenges ("**Challenges**" over "**Challenge 1: …**" lines, which each name
    one), else below the current Markdown heading."""
    for section in reversed(stack):
        if section.marked or not section.level:
            break
        if classify_heading(section.title) == "challenges" and not LABEL_WITH_TEXT.match(
            section.title
        ):
            return section.level + 1
    return heading_level + 1


def _is_italic_sentence(inline: Token, lead: str) -> bool:
    """ "_Throughout the projects, I met several challenges:_" introduces what follows: a
    sentence set in italics, not a heading (headings are bold, or short)."""
    opening = next((c.type for c in inline.children or [] if c.type.endswith("_open")), "")
    return opening == "em_open" and (len(lead.split()) > PLAIN_HEADING_MAX_WORDS or ", " in lead)


def _text_at(tokens: list[Token], index: int) -> str:
    return tokens[index].content if index < len(tokens) and tokens[index].type == "inline" else ""


def _is_list_caption(text: str, following: Token | None) -> bool:
    """A short plain line directly above a list, with no sentence punctuation, captions it."""
    if following is None or following.type not in ("bullet_list_open", "ordered_list_open"):
        return False
    text = clean_title(text) or text
    words = text.rstrip(":").split()
    return (
        0 < len(words) <= LIST_CAPTION_MAX_WORDS
        and text[0].isupper()
        and not text.endswith((".", ",", ";", "!", "?"))
        and words[0].lower().strip(":") not in NOT_A_CAPTION
    )


def _is_empty(section: Section) -> bool:
    return not (section.items or section.paragraphs or section.tables or section.children)


def _title_level(tokens: list[Token], guessed: frozenset[int]) -> int:
    """The level of the document's title: a heading alone at the shallowest level used, over
    headings naming two kinds of section or more.

    Written as `##` over `###` sections, it stands where `#` would; the levels below are read
    relative to it, as if the author had started at `#`. A lone "## Key Technologies" over
    "### Backend" is a section, not a title."""
    headings = [
        (int(token.tag[1]), inline_text(tokens[index + 1]))
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.map and token.map[0] not in guessed
    ]
    levels = [level for level, _title in headings]
    shallowest = min(levels, default=1)
    if shallowest == 1 or levels.count(shallowest) > 1:
        return 1
    kinds = {classify_heading(clean_title(text)) for level, text in headings if level > shallowest}
    return shallowest if len(kinds - {""}) > 1 else 1


def parse_sections(text: str) -> Section:
    """The document as a root section (level 0) with nested sections by heading level."""
    repaired, guessed = _headings_inside_paragraphs(repair_markup(text))
    tokens = _PARSER.parse(promote_plain_headings(repaired))
    line_count = text.count("\n") + 1
    root = Section(title="", level=0, end_line=line_count)
    stack = [root]
    index = 0
    heading_level = 1
    holder: Section | None = None
    shallowest = _title_level(tokens, guessed)

    def open_section(title: str, raw: str, level: int, line: int, *, marked: bool = False) -> None:
        while stack[-1].level >= level:
            stack.pop().end_line = line
        section = Section(title=title, raw_title=raw, level=level, start_line=line, marked=marked)
        stack[-1].children.append(section)
        stack.append(section)

    def open_guessed_section(title: str, raw: str, line: int) -> None:
        # "**Key Technologies**" with nothing under it, then "**Python**", "**Django**": a
        # guessed heading naming a kind of section and left empty holds the guessed headings
        # after it, up to the next one naming a kind of section.
        nonlocal holder
        if LABEL_WITH_TEXT.match(title):
            # "Challenge 2: Emails blocked requests" is one entry of the challenges above it.
            open_section(title, raw, _challenge_level(stack, heading_level), line)
            return
        top = stack[-1]
        if not top.marked and top.level and _is_empty(top) and classify_heading(top.title):
            holder = top
        elif holder is not None and (
            all(section is not holder for section in stack) or classify_heading(title)
        ):
            holder = None
        level = holder.level + 1 if holder is not None else heading_level + 1
        open_section(title, raw, level, line)

    while index < len(tokens):
        token = tokens[index]
        line = token.map[0] if token.map else 0
        if token.type == "heading_open" and line in guessed:
            raw = inline_text(tokens[index + 1])
            open_guessed_section(clean_title(raw), raw, line)
            index += 3
            continue
        if token.type == "heading_open":
            inline = tokens[index + 1]
            raw = inline_text(inline)
            heading_level = int(token.tag[1]) - shallowest + 1
            holder = None
            open_section(clean_title(raw), raw, heading_level, line, marked=True)
            index += 3
            continue
        if token.type == "paragraph_open" and token.level == 0:
            inline = tokens[index + 1]
            lead, rest = bold_lead(inline)
            following = tokens[index + 3] if index + 3 < len(tokens) else None
            first, _newline, remaining = inline.content.partition("\n")
            if (
                lead
                and not rest
                and len(lead) <= 100
                and lead.lower() not in LABEL_LINES
                and not _is_italic_sentence(inline, lead)
            ):
                # A bold-only line acts as a heading below the current section.
                open_guessed_section(lead, inline_text(inline), line)
            elif table := _pasted_table(inline.content):
                stack[-1].tables.append(table)
            elif _titles_labelled_lines(first, remaining) or _is_section_line(
                first, not remaining, following, _text_at(tokens, index + 4)
            ):
                title = clean_title(clean_line(first))
                open_guessed_section(title, first, line)
                lines = [clean_line(line) for line in remaining.split("\n") if clean_line(line)]
                if table := _pasted_table(remaining):
                    # "⚠️ Challenges & Solutions" right above a table pasted from a web page.
                    stack[-1].tables.append(table)
                elif lines:
                    stack[-1].paragraphs.append(" ".join(lines))
                    stack[-1].paragraph_lines.append(lines)
            elif _is_list_caption(inline_text(inline), following):
                open_guessed_section(clean_title(inline_text(inline)), inline_text(inline), line)
            elif inline_text(inline):
                stack[-1].paragraphs.append(inline_text(inline))
                lines = [clean_line(line) for line in inline.content.split("\n")]
                stack[-1].paragraph_lines.append([line for line in lines if line])
            index += 3
            continue
        if token.type in ("bullet_list_open", "ordered_list_open") and token.level == 0:
            items, index = _list(tokens, index)
            stack[-1].items += items
        elif token.type == "table_open":
            table, index = _table(tokens, index)
            stack[-1].tables.append(table)
        index += 1
    for section in stack:
        section.end_line = line_count
    return root
