"""Where the shared corpus lives; tests that read it skip (tests/shared.py) when it is absent."""

from pathlib import Path

import pytest

from tests.shared import require, shared_path

SEED_JOURNAL = shared_path("seed", "learning-journal.md")
CORPUS = shared_path("corpus")


def shared_file(path: Path) -> bytes:
    return require(path).read_bytes()


@pytest.fixture
def corpus_dir() -> Path:
    require(CORPUS / "readmes")
    return CORPUS
