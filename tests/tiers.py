"""Two lengths of one proof: `make test` checks an evenly spread sample of a corpus, `make verify`
(NEXUS_VERIFY=1) reads all of it.

A test decorated with `whole_in_verify` runs in both: marked `verify` only in that run, so make
test keeps it, and inside it `sample(corpus, size)` is the whole corpus under make verify.
"""

import os
from collections.abc import Callable, Sequence

import pytest

VERIFY = bool(os.environ.get("NEXUS_VERIFY"))


def whole_in_verify[F: Callable[..., object]](test: F) -> F:
    return pytest.mark.verify(test) if VERIFY else test


def sample[T](corpus: Sequence[T], size: int) -> list[T]:
    """All of `corpus` under make verify; otherwise `size` items spread evenly over it, the first
    and the last included, the same ones every run."""
    items = list(corpus)
    if VERIFY or len(items) <= size:
        return items
    if size <= 1:
        return items[:size]
    step = (len(items) - 1) / (size - 1)
    return [items[round(index * step)] for index in range(size)]
