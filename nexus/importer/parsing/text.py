"""Real-world text in, clean Markdown out: decoding, mojibake repair, line endings, markers."""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import ftfy
import yaml
from ftfy.badness import is_bad
from ftfy.chardata import CONTROL_CHARS
from ftfy.fixes import fix_line_breaks, remove_control_chars

# A NUL byte never appears in text; in the first 8 KiB it marks a binary file.
BINARY_SNIFF_BYTES = 8192
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)
MERGE_MARKER = re.compile(r"^(<{7}|>{7})( .*)?$|^={7}$", re.MULTILINE)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# Bullets pasted from word processors: "•", "▪", "", "o " at the start of a line.
WORD_BULLET = re.compile(r"^([ \t]*)(?:[•▪●◦‣∙·⦁]|\uf0b7|\uf0a7|o(?= [A-Z]))[ \t]+", re.MULTILINE)
FRONT_MATTER_MAX_CHARS = 4000
# UTF-8 read as Latin-1 or Windows-1252 (mojibake) is made of these characters: text without any
# cannot hold it, and ftfy's own check (is_bad) is only asked about text with some.
MOJIBAKE_HINT = re.compile(
    "[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)

# What ftfy's remove_control_chars deletes, found by one scan in C first: its str.translate looks
# every character up in a dict, a third of the cost of parsing a clean journal.
CONTROL_CHAR = re.compile("[" + "".join(re.escape(chr(code)) for code in CONTROL_CHARS) + "]")


class BinaryContentError(ValueError):
    """The bytes are not text (a NUL byte near the start)."""


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases, so a small header cannot expand into a huge one."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("YAML aliases are not allowed in front matter")
        return super().compose_node(parent, index)


@dataclass
class CleanText:
    text: str
    front_matter: dict[str, Any] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Bytes as text: UTF-8 (with or without BOM), else Windows-1252; mojibake repaired by ftfy."""
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise BinaryContentError("binary content")
    repairs = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        repairs.append("decoded as Windows-1252")
    if repairs or (MOJIBAKE_HINT.search(text) and is_bad(text)):
        fixed = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False, fix_line_breaks=True)
    else:
        # ftfy's full pass costs more than parsing the Markdown; clean text needs only these.
        fixed = fix_line_breaks(text)
        if CONTROL_CHAR.search(fixed):
            fixed = remove_control_chars(fixed)
        fixed = unicodedata.normalize("NFC", fixed)
    if fixed.replace("\r\n", "\n") != text.replace("\r\n", "\n"):
        repairs.append("repaired mis-decoded characters")
    return fixed, repairs


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Optional YAML front matter (a mapping between --- lines) and the body after it."""
    match = FRONT_MATTER.match(text)
    if match is None or len(match.group(1)) > FRONT_MATTER_MAX_CHARS:
        return {}, text
    try:
        data = yaml.load(match.group(1), Loader=_NoAliasLoader)  # noqa: S506 - the loader is safe
    except yaml.YAMLError:
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    return {str(key): value for key, value in data.items()}, text[match.end() :]


def clean_markdown(data: bytes) -> CleanText:
    """Decode, repair and normalise one Markdown file; front matter split off."""
    text, repairs = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front_matter, text = split_front_matter(text)
    if re.search(r"^<{7}", text, re.MULTILINE):
        # Both sides of a committed merge conflict are kept; only the markers go.
        text = MERGE_MARKER.sub("", text)
        repairs.append("removed merge-conflict markers")
    text = HTML_COMMENT.sub("", text)
    text, bullets = WORD_BULLET.subn(r"\1- ", text)
    if bullets:
        repairs.append("converted pasted bullets")
    return CleanText(text=text, front_matter=front_matter, repairs=repairs)
