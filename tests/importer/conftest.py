"""Where the shared corpus lives; tests that read it skip cleanly when it is absent."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# ../shared next to the repository (CI, the main checkout); a worktree sits one level deeper.
SHARED = next(
    (
        candidate
        for candidate in (REPO_ROOT / ".." / "shared", REPO_ROOT / ".." / ".." / "shared")
        if candidate.is_dir()
    ),
    REPO_ROOT / ".." / "shared",
)
SEED_JOURNAL = SHARED / "seed" / "learning-journal.md"
CORPUS = SHARED / "corpus"


def shared_file(path: Path) -> bytes:
    if not path.exists():
        pytest.skip(f"{path} is not available (the shared corpus is outside this repository)")
    return path.read_bytes()


@pytest.fixture
def corpus_dir() -> Path:
    if not (CORPUS / "readmes").is_dir():
        pytest.skip("the shared corpus is not available")
    return CORPUS
