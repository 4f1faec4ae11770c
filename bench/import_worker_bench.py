"""Import throughput as deployed on PostgreSQL (files per second): the shared corpus uploaded as
one zip and run as an import job by a Celery worker of two pool processes on RabbitMQ, whose
other process then writes the search index and notifications; when the job has finished and when
its last search document is written. Side by side in one run with the same import inline in this
process (the `make bench-import` figure, subscribers included), a naive baseline (markdown-it
tokens only) and the limit (issue #16: 50 journals a second on 2 cores).

    DATABASE_URL=postgres://... make bench-import-worker
    BENCH_ARGS="--broker amqp://guest:guest@127.0.0.1:5672//" (the default) picks RabbitMQ

Each run builds two throw-away databases (test_<name>), one per measured import, so both meet the
corpus as new; the worker uses a queue of its own (nexus-bench), purged first.
"""

import argparse
import io
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection
from import_bench import (  # sets Django up, as the worker is: DEBUG off
    WARM_UP_JOURNAL,
    corpus_files,
    corpus_source,
    default_corpus,
    naive_seconds,
    print_table,
    warm_up_as_a_worker,
)

QUEUE = "nexus-bench"
# Two pool processes: one per core, as the deployed worker on a 2-core machine.
CELERY_WORKER = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "nexus",
    "worker",
    "-c",
    "2",
    "-l",
    "WARNING",
]
CELERY_WORKER += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
POLL_SECONDS = 0.005


def corpus_zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files:
            archive.writestr(path, data)
    return buffer.getvalue()


def database_url(name: str) -> str:
    """DATABASE_URL with the throw-away database's name, for the worker."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def wait_until(done: Callable[[], bool], timeout: float) -> float:
    """Poll until done() is true; returns the moment it was seen."""
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            sys.exit("Gave up waiting: is the worker running and the broker reachable?")
        time.sleep(POLL_SECONDS)
    return time.perf_counter()


def inline_import(files: list[tuple[str, bytes]]) -> tuple[float, int]:
    """The bench-import measurement: seconds, and how many search documents it wrote."""
    from nexus.accounts.models import User
    from nexus.importer.pipeline import run_import
    from nexus.search.models import SearchDocument

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        owner = User.objects.create_user("bench@example.com", None, display_name="Bench")
        source = corpus_source(files, "corpus")
        start = time.perf_counter()
        run_import(owner=owner, source=source)
        return time.perf_counter() - start, SearchDocument.objects.count()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def worker_import(data: bytes, documents: int, broker: str, timeout: float) -> tuple[float, float]:
    """Seconds until the job finished and until its search documents were all written."""
    from nexus.accounts.models import User
    from nexus.celery import app
    from nexus.importer.models import ImportJob, JobStatus
    from nexus.importer.services import import_job_create
    from nexus.search.models import SearchDocument

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    app.conf.update(task_always_eager=False, broker_url=broker, task_default_queue=QUEUE)
    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
    }
    worker = subprocess.Popen(
        [*CELERY_WORKER, "-Q", QUEUE],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        wait_until(lambda: bool(app.control.ping(timeout=0.5)), timeout)

        def finished(job: ImportJob) -> bool:
            status = ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)
            return status not in (JobStatus.QUEUED, JobStatus.RUNNING)

        # A job of our own first, as in a worker that has imported before.
        warm = User.objects.create_user("warm@example.com", None, display_name="Warm")
        job = import_job_create(owner=warm, upload_name="warm-up.md", upload_data=WARM_UP_JOURNAL)
        wait_until(lambda: finished(job), timeout)
        time.sleep(2)  # and its search documents written, by the other process
        before = SearchDocument.objects.count()
        owner = User.objects.create_user("bench@example.com", None, display_name="Bench")
        start = time.perf_counter()
        job = import_job_create(owner=owner, upload_name="corpus.zip", upload_data=data)
        job_done = wait_until(lambda: finished(job), timeout)
        status = ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)
        if status != JobStatus.SUCCEEDED:
            sys.exit(f"The job ended {status}.")
        indexed = wait_until(lambda: SearchDocument.objects.count() >= before + documents, timeout)
        return job_done - start, indexed - start
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait at most")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The deployed topology runs on PostgreSQL: set DATABASE_URL=postgres://...")
    files = corpus_files(args.corpus)
    warm_up_as_a_worker()
    inline_seconds, documents = inline_import(files)
    job_seconds, indexed_seconds = worker_import(
        corpus_zip(files), documents, args.broker, args.timeout
    )
    rows = [
        ("naive baseline: markdown-it tokens only", naive_seconds(files, rounds=3)),
        ("inline: import, subscribers after it", inline_seconds),
        ("worker: the import job finished", job_seconds),
        ("worker: its search documents all written", indexed_seconds),
    ]
    title = f"Import as deployed: {len(files)} corpus files, {documents} search documents"
    print_table(title, len(files), rows)


if __name__ == "__main__":
    main()
