"""The same Markdown in other markup, as other authors write it: headings started a level
deeper, sub-headings written as bold lines, no blank lines between them. A parser that reads
journals it was never tuned on reads these as it reads the original."""

import re
from collections.abc import Callable

Rewrite = Callable[[str], str]


def demoted(text: str) -> str:
    """Every heading one level deeper: the title written as `##`."""
    return re.sub(r"^(#{1,5}) ", r"#\1 ", text, flags=re.MULTILINE)


def bold_from(level: int) -> Rewrite:
    """Headings of `level` and deeper written as bold lines ("### Caching" → "**Caching**")."""
    pattern = re.compile(rf"^#{{{level},6}} +(.+?) *#*$", re.MULTILINE)

    def rewrite(text: str) -> str:
        return pattern.sub(lambda match: f"**{match.group(1).replace('**', '').strip()}**", text)

    return rewrite


def without_blank_lines(rewrite: Rewrite) -> Rewrite:
    def apply(text: str) -> str:
        return "\n".join(line for line in rewrite(text).split("\n") if line.strip())

    return apply
