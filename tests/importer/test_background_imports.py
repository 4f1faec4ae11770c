"""An upload only queues its import: the request answers at once, and a Celery worker (a real
process on RabbitMQ and PostgreSQL) runs the job, its progress visible while it runs.

Skipped unless NEXUS_TEST_BROKER_URL is set and the tests run on PostgreSQL (CI sets both).
"""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import figures
from tests.notifications.test_broker_delivery import BROKER_URL, broker, wait_until

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not BROKER_URL, reason="NEXUS_TEST_BROKER_URL is not set"),
]
__all__ = ("broker",)  # the fixture, shared with the notification broker tests

# Enough files for the job's progress (saved at most every half second) to be read between 0
# and 100 %: written in chunks, 300 of these small notes took under half a second.
FILES = 1000


def _zip(count: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(count):
            archive.writestr(
                f"notes/{n:04}.md", f"# Note {n}\n\nWhat I learnt about caching, {n}.\n"
            )
    return SimpleUploadedFile("notes.zip", buffer.getvalue(), content_type="application/zip")


def test_a_large_upload_is_queued_by_the_request_and_imported_by_a_worker(
    broker, owner, client_for
):
    client = client_for(owner)
    client.get("/api/v1/imports/")  # the first request of a process loads every URL conf
    started = time.perf_counter()
    response = client.post("/api/v1/imports/", {"file": _zip(FILES)}, format="multipart")
    answered = time.perf_counter() - started
    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["files_done"]) == ("queued", 0)
    job_url = f"/api/v1/imports/{response.json()['id']}/"

    broker()  # the worker starts only now: nothing ran in the request
    seen: list[tuple[str, int]] = []

    def finished() -> bool:
        job = client.get(job_url).json()
        seen.append((job["status"], job["percent"]))
        return job["status"] in ("succeeded", "failed")

    running_since = time.perf_counter()
    wait_until(finished, timeout=240, what="the worker to finish the import")
    ran = time.perf_counter() - running_since
    job = client.get(job_url).json()
    assert (job["status"], job["files_done"], job["files_total"]) == ("succeeded", FILES, FILES)
    progress = sorted({percent for status, percent in seen if status == "running"})
    assert len(progress) >= 2, seen
    figures.report(
        f"import: a {FILES}-file zip answered {response.status_code} (queued) in "
        f"{answered * 1000:.0f} ms; a worker imported it in {ran:.0f} s, the job's progress read "
        f"{len(progress)} times between {progress[0]} and {progress[-1]} %"
    )
