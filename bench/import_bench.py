"""Import throughput on the shared corpus (files per second): ours (parse, then write through the
services in bulk, one transaction a file, and the search index and notifications of the whole
import handled at its end, inline as in the embedded mode), the idempotent re-import, and
parse-only, side by side with a naive baseline (markdown-it tokens only: the least any importer
must do) and the limit (issue #16: 50 journals a second on 2 cores).

    make bench-import                                # SQLite (a throw-away test database)
    DATABASE_URL=postgres://... make bench-import    # PostgreSQL (creates test_<name>)
    BENCH_ARGS="--corpus /path/to/corpus --rounds 3" make bench-import

The corpus is ../shared/corpus (readmes/ and readmes-product/); it is read, never copied.
"""

import argparse
import gc
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")
os.environ.setdefault("DEBUG", "false")  # as a worker runs: no query log

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

LIMIT_FILES_PER_SECOND = 50.0
# Our own words, in the shapes journals take, for the parser's code paths to run once before the
# import is timed (no corpus text: its headings and words must be new to the import).
WARM_UP_JOURNAL = b"""# Warm-up journal

## Month 1: Foundations

Set up a **Django** project with PostgreSQL; 3 hours.

## Key Technologies

| Area | Tools |
| --- | --- |
| Back end | Django, Celery |

## Challenges & Solutions

1. **Problem:** Slow list pages. **Solution:** Added an index.
2. A flaky test \\
   Fixed by freezing the clock.

## Best Practices

- \xe2\x9c\x85 Keep views thin.

```python
print("warm")
```
"""


def default_corpus() -> Path:
    for candidate in (ROOT / ".." / "shared" / "corpus", ROOT / ".." / ".." / "shared" / "corpus"):
        if candidate.is_dir():
            return candidate.resolve()
    return (ROOT / ".." / "shared" / "corpus").resolve()


def corpus_files(corpus: Path) -> list[tuple[str, bytes]]:
    if not (corpus / "readmes").is_dir():
        sys.exit(f"No corpus at {corpus} (expected readmes/ inside it).")
    paths = sorted([*corpus.glob("readmes/*.md"), *corpus.glob("readmes-product/*.md")])
    return [(str(path.relative_to(corpus)), path.read_bytes()) for path in paths]


def corpus_source(files: list[tuple[str, bytes]], label: str) -> Any:
    """The corpus as the importer's Source of one folder."""
    from nexus.importer.sources import Source, SourceFile

    return Source(
        key="bench:corpus",
        label=label,
        kind="folder",
        files=[SourceFile(path=path, data=data) for path, data in files],
    )


def warm_up_as_a_worker() -> None:
    """As every Celery worker and web process does when it starts (the URLconf loaded with its
    reverse lookups, the common code lexers), then as a worker that has run another journal's
    import: the parser's code paths run once, on text of our own. The corpus is parsed only
    after the imports are timed, so they meet its headings and words as new, as a worker meets a
    learner's."""
    from nexus.core.startup import warm_up
    from nexus.importer.parsing import parse_document

    setup_test_environment()
    warm_up()
    parse_document(WARM_UP_JOURNAL, path="warm-up.md")


def naive_seconds(files: list[tuple[str, bytes]], rounds: int) -> float:
    """The naive baseline, best of `rounds`: markdown-it tokens only, the least any importer
    must do."""
    from markdown_it import MarkdownIt

    # What an import left for the collector is collected now, not inside the first round.
    gc.collect()
    naive = MarkdownIt("commonmark").enable("table")
    best = float("inf")
    for _round in range(rounds):
        start = time.perf_counter()
        for _path, data in files:
            naive.parse(data.decode("utf-8", "replace"))
        best = min(best, time.perf_counter() - start)
    return best


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def print_table(title: str, files: int, rows: list[tuple[str, float]]) -> None:
    """Each run's seconds, files a second, times the first row (the naive baseline) and verdict."""
    print(f"\n{title}\n")
    header = f"{'run':<44}{'seconds':>9}{'files/s':>9}{'x naive':>9}"
    print(f"{header}  vs limit ({LIMIT_FILES_PER_SECOND:g}/s)")
    print("-" * 90)
    naive = rows[0][1]
    for name, seconds in rows:
        files_per_second = rate(files, seconds)
        verdict = "ok" if files_per_second >= LIMIT_FILES_PER_SECOND else "SLOW"
        ratio = seconds / naive if naive else float("inf")
        print(f"{name:<44}{seconds:>9.3f}{files_per_second:>9.1f}{ratio:>9.1f}  {verdict}")


class CollectorTime:
    """CPU time the cyclic garbage collector spent, and how many times it ran."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.runs = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.seconds += time.process_time() - self._started
            self.runs += 1


@contextmanager
def collections_timed() -> Iterator[CollectorTime]:
    collector = CollectorTime()
    gc.callbacks.append(collector)
    try:
        yield collector
    finally:
        gc.callbacks.remove(collector)


@contextmanager
def hand_over_timed() -> Iterator[list[float]]:
    """Wall time spent handing committed events to their subscribers (events.hand_over): inline
    here, as in the embedded mode, it runs them (search index, notifications)."""
    from nexus.core import events

    spent = [0.0]
    real = events.hand_over

    def timed(event_ids: list[Any]) -> int:
        start = time.perf_counter()
        try:
            return real(event_ids)
        finally:
            spent[0] += time.perf_counter() - start

    events.hand_over = timed
    try:
        yield spent
    finally:
        events.hand_over = real


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--rounds", type=int, default=3, help="parse-only rounds (best kept)")
    args = parser.parse_args()
    files = corpus_files(args.corpus)

    from nexus.accounts.models import User
    from nexus.importer.parsing import parse_document
    from nexus.importer.pipeline import run_import

    warm_up_as_a_worker()
    import_rows = []
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        owner = User.objects.create_user("bench@example.com", None, display_name="Bench")
        source = corpus_source(files, str(args.corpus))
        statements = 0

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            nonlocal statements
            statements += 1
            return execute(sql, params, many, context)

        start, cpu_start = time.perf_counter(), time.process_time()
        with (
            connection.execute_wrapper(count),
            collections_timed() as collector,
            hand_over_timed() as subscribers,
        ):
            first = run_import(owner=owner, source=source)
        import_rows.append(("ours: first import (writes articles)", time.perf_counter() - start))
        # The importing process's own CPU time: on a shared machine it moves far less than the
        # wall clock does (the database server's CPU is not in it).
        first_cpu = time.process_time() - cpu_start
        start = time.perf_counter()
        again = run_import(owner=owner, source=source)
        import_rows.append(("ours: re-import (idempotent no-op)", time.perf_counter() - start))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    anchor_rows = [("naive baseline: markdown-it tokens only", naive_seconds(files, args.rounds))]
    best = float("inf")
    for _round in range(args.rounds):
        start = time.perf_counter()
        for path, data in files:
            parse_document(data, path=path)
        best = min(best, time.perf_counter() - start)
    anchor_rows.append(("ours: parse and extract (no database)", best))
    rows = anchor_rows + import_rows

    print_table(
        f"Import throughput: {len(files)} corpus files, database {connection.vendor}",
        len(files),
        rows,
    )
    first_seconds = rows[2][1]
    print(
        f"\nfirst import: {rate(first['totals']['created'], first_seconds):.1f} articles/s, "
        f"{first_cpu:.2f} s CPU in this process ({collector.seconds:.2f} s of it in "
        f"{collector.runs} garbage collections), {statements} statements; "
        f"{first['totals']['created']} created, {first['files']['failed']} failed; "
        f"re-import: {again['files']['unchanged']} files unchanged, "
        f"{again['totals']['created'] + again['totals']['updated']} writes"
    )
    # Measured, not counted in the verdict: in the deployed topology a worker of its own (the
    # other core) runs the subscribers, and the import's report is ready before they finish.
    print(
        f"of the first import, {subscribers[0]:.2f} s ran its events' subscribers (search index, "
        f"notifications) inline; the rest alone: "
        f"{rate(len(files), first_seconds - subscribers[0]):.1f} files/s"
    )


if __name__ == "__main__":
    main()
