"""Python's cyclic garbage collector during bulk work.

The collector runs its youngest generation every 700 net allocations, and every tenth of those
runs the middle one; now and then a full collection walks every object the process holds, some
300,000 in a Nexus process (Django, the GraphQL schema, the URLconf). Bulk work allocates
millions of short-lived objects (Markdown tokens, model instances, SQL parameters) and so sets
off collection after collection: a quarter of an import's CPU time went to them
(docs/importer.md, "Speed"). Reference counting frees almost all of those objects anyway; the
collector only finds cycles, and a larger young generation still finds them, a little later.
What the process held before the work began is set aside for its duration (`gc.freeze()`), so
a full collection during it walks only what the work allocated.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Net allocations between two collections of the youngest generation during bulk work: ten
# times fewer young collections and a full one rarely, for about 15 MB more at the peak of a
# corpus import (measured with `bench/import_bench.py`, docs/importer.md).
BULK_YOUNG_THRESHOLD = 10_000

_lock = threading.Lock()
_active = 0
_restore_to: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections(young_threshold: int = BULK_YOUNG_THRESHOLD) -> Iterator[None]:
    """Collect the youngest generation less often while the block runs, and leave what the
    process already held out of every collection meanwhile.

    The thresholds and the frozen objects are the process's, shared by its threads: the first
    block to enter raises the youngest generation's threshold and freezes, the last one to leave
    puts back the threshold it found and unfreezes (what was frozen, garbage included, is
    collected as before from then on), so overlapping imports on two threads (the embedded
    mode's) neither end it early nor leave it on.
    """
    global _active, _restore_to
    with _lock:
        if _active == 0:
            _restore_to = gc.get_threshold()
            young, middle, old = _restore_to
            gc.set_threshold(max(young, young_threshold), middle, old)
            gc.freeze()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _restore_to is not None:
                gc.unfreeze()
                gc.set_threshold(*_restore_to)
                _restore_to = None
