"""Where Markdown comes from: a file, a folder, a zip, or a shallow git clone; all bounded.

Every source yields `SourceFile`s with paths relative to the source root. Unsafe or unwanted
entries (symlinks, paths escaping the root, binaries, huge files, non-Markdown) come through with a
`skip_reason` so the report can say why they were left out; a source that may not be imported at
all (too many files, a zip bomb, a refused URL) raises `SourceError`.
"""

from nexus.importer.sources.archives import check_zip
from nexus.importer.sources.base import Source, SourceError, SourceFile, is_markdown
from nexus.importer.sources.files import from_bytes, from_path
from nexus.importer.sources.git import check_git_url, cloned, looks_like_git_url

__all__ = (
    "Source",
    "SourceError",
    "SourceFile",
    "check_git_url",
    "check_zip",
    "cloned",
    "from_bytes",
    "from_path",
    "is_markdown",
    "looks_like_git_url",
)
