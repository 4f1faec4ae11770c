"""../shared: other people's words (learners' journals, OpenAPI specs, hostile-input corpora).

They are read where they lie and never copied into the repository. CI always has them; a bare
clone does not, and every test that needs them skips with the one reason below, so the skip
summary shows at a glance what a clone without ../shared did not run.
"""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the repository (CI, the main checkout); a git worktree sits one level deeper,
# possibly beside another worktree that happens to be called "shared".
SHARED_DIR = next(
    (
        d
        for d in (REPO_ROOT.parent / "shared", REPO_ROOT.parent.parent / "shared")
        if (d / "security").is_dir()
    ),
    REPO_ROOT.parent / "shared",
)
SKIP_REASON = "../shared is not beside this clone (CI has it): its corpora were not read"


def shared_path(*parts: str) -> Path:
    """A path inside ../shared, whether or not it exists."""
    return SHARED_DIR.joinpath(*parts)


def require(path: Path) -> Path:
    """The path, or a skip of the calling test when ../shared is absent."""
    if not path.exists():
        pytest.skip(SKIP_REASON)
    return path


def absent_param() -> object:
    """The one parameter a parametrised test gets in place of a shared corpus that is absent."""
    return pytest.param(None, id="shared-absent", marks=pytest.mark.skip(reason=SKIP_REASON))
