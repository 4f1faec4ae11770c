"""Two Markdown texts compared as rendered blocks (paragraphs, headings, lists, code, tables).

A reader compares what a page shows, not its source: each text is cut into its top-level blocks,
the blocks are matched with difflib on their source, and each block is rendered (sanitised) by
the caller's renderer, so the two columns show exactly what each version showed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from nexus.core.markdown import block_tokens

RowKind = Literal["equal", "changed", "added", "removed"]
KINDS_CHANGED: tuple[RowKind, ...] = ("changed", "added", "removed")


@dataclass(frozen=True)
class BlockRow:
    """One row of the side-by-side view: the old block, the new block, or both."""

    kind: RowKind
    old_html: str = ""
    new_html: str = ""


@dataclass(frozen=True)
class BlockDiff:
    rows: list[BlockRow]

    @property
    def changed(self) -> bool:
        return any(row.kind != "equal" for row in self.rows)

    @property
    def summary(self) -> str:
        """In words, e.g. "2 blocks changed, 1 added, 0 removed"."""
        counts = {kind: sum(row.kind == kind for row in self.rows) for kind in KINDS_CHANGED}
        blocks = "block" if counts["changed"] == 1 else "blocks"
        changed, added, removed = (counts[kind] for kind in KINDS_CHANGED)
        return f"{changed} {blocks} changed, {added} added, {removed} removed"


def markdown_blocks(text: str) -> list[str]:
    """The source of each top-level block of `text`, in order (blank lines between them dropped)."""
    lines = text.replace("\r\n", "\n").split("\n")
    blocks = []
    for token in block_tokens(text):
        if token.level == 0 and token.map is not None and token.nesting >= 0:
            start, end = token.map
            blocks.append("\n".join(lines[start:end]).strip("\n"))
    return [block for block in blocks if block.strip()]


def block_diff(old: str, new: str, *, render: Callable[[str], str]) -> BlockDiff:
    """The rows that show `old` and `new` side by side, each block rendered by `render`."""
    old_blocks, new_blocks = markdown_blocks(old), markdown_blocks(new)
    matcher = SequenceMatcher(a=old_blocks, b=new_blocks, autojunk=False)
    rows: list[BlockRow] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":  # the same source: rendered once for both columns
            rows += [
                BlockRow("equal", html, html) for html in map(render, old_blocks[old_start:old_end])
            ]
            continue
        olds = [render(block) for block in old_blocks[old_start:old_end]]
        news = [render(block) for block in new_blocks[new_start:new_end]]
        paired = min(len(olds), len(news))
        rows += [BlockRow("changed", olds[i], news[i]) for i in range(paired)]
        rows += [BlockRow("removed", old_html=html) for html in olds[paired:]]
        rows += [BlockRow("added", new_html=html) for html in news[paired:]]
    return BlockDiff(rows=rows)
