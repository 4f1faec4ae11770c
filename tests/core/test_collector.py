"""The garbage collector during bulk work: collected less often inside `fewer_collections`, put
back as found after, and an import runs inside it."""

import gc
import threading
import weakref

import pytest

from nexus.core.collector import BULK_YOUNG_THRESHOLD, fewer_collections
from nexus.importer import sources
from nexus.importer.pipeline import run_import
from tests.importer.journals import journals_zip


@pytest.fixture
def thresholds():
    """The process's thresholds as Python sets them, whatever a test leaves behind."""
    found = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*found)


def test_the_young_generation_is_collected_less_often_inside_and_as_before_after(thresholds):
    with fewer_collections():
        assert gc.get_threshold() == (BULK_YOUNG_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_the_thresholds_are_put_back_when_the_work_fails(thresholds):
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the import failed")
    assert gc.get_threshold() == (700, 10, 10)


class Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_what_the_process_held_before_is_left_out_of_collections_until_the_block_ends(
    thresholds,
):
    held_before = Node()
    gone = weakref.ref(held_before)
    del held_before  # garbage now, but only a collection can tell

    with fewer_collections():
        gc.collect()
        assert gone() is not None, "a collection inside walked what the process held before"
    gc.collect()
    assert gone() is None, "what was set aside was never given back to the collector"


def test_a_threshold_already_higher_is_never_lowered(thresholds):
    gc.set_threshold(BULK_YOUNG_THRESHOLD * 5, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == BULK_YOUNG_THRESHOLD * 5
    assert gc.get_threshold()[0] == BULK_YOUNG_THRESHOLD * 5


def test_overlapping_blocks_on_two_threads_restore_only_when_the_last_one_leaves(thresholds):
    entered, release = threading.Event(), threading.Event()

    def other_import() -> None:
        with fewer_collections():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other_import)
    with fewer_collections():
        thread.start()
        assert entered.wait(5)
    # This thread's block is over, the other thread's is not: still raised for it.
    assert gc.get_threshold()[0] == BULK_YOUNG_THRESHOLD
    release.set()
    thread.join(5)
    assert gc.get_threshold() == (700, 10, 10)


def test_an_import_runs_with_fewer_collections_and_puts_them_back(owner, thresholds):
    seen: set[int] = set()
    source = sources.from_bytes(name="journals.zip", data=journals_zip(2), key="collector")

    report = run_import(
        owner=owner, source=source, progress=lambda update: seen.add(gc.get_threshold()[0])
    )

    assert report["files"]["failed"] == 0
    assert seen == {BULK_YOUNG_THRESHOLD}
    assert gc.get_threshold() == (700, 10, 10)
