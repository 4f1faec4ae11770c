"""/api/v1/imports/: start imports by upload or URL, permissions, bad input, query counts."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.importer.models import ImportJob
from nexus.importer.services import import_job_create, import_job_run
from tests import figures
from tests.importer.journals import JOURNAL

URL = "/api/v1/imports/"


def _zip_upload(files, name="docs.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def _upload(name="README.md", data=None):
    content = JOURNAL.encode() if data is None else data
    return SimpleUploadedFile(name, content, content_type="text/markdown")


def test_uploading_a_journal_runs_the_job_and_returns_its_report(
    client_for, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(URL, {"file": _upload()}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"] == owner.pk
    job = ImportJob.objects.get(pk=body["id"])
    assert job.status == "succeeded"
    assert job.upload is None
    detail = client_for(owner).get(f"{URL}{job.pk}/").json()
    assert detail["status"] == "succeeded"
    assert detail["percent"] == 100
    assert detail["report"]["totals"]["created"] == 7  # 5 articles, a challenge, a month


def test_anonymous_users_cannot_list_or_start_imports(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, {"url": "https://github.com/a/b.git"}).status_code == 401


def test_jobs_are_visible_to_their_owner_and_admins_only(
    client_for, owner, other_user, mentor, admin_user
):
    job = import_job_create(owner=owner, upload_name="a.md", upload_data=b"# A\n")
    expectations = {owner: 200, other_user: 404, mentor: 404, admin_user: 200}
    for user, status in expectations.items():
        assert client_for(user).get(f"{URL}{job.pk}/").status_code == status, user
    assert [row["id"] for row in client_for(other_user).get(URL).json()["results"]] == []
    assert [row["id"] for row in client_for(admin_user).get(URL).json()["results"]] == [job.pk]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "file"),
        ({"url": "file:///etc/passwd"}, "url"),
        ({"url": "http://example.com/r.git"}, "url"),
        ({"url": "https://127.0.0.1/r.git"}, "url"),
        ({"url": "https://github.com/a/b.git", "extra": 1}, "extra"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(client_for, owner, payload, field):
    response = client_for(owner).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert ImportJob.objects.count() == 0


def test_non_markdown_uploads_are_refused(client_for, owner):
    upload = _upload(name="image.png", data=b"\x89PNG")
    response = client_for(owner).post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "file" in str(response.json())
    assert ImportJob.objects.count() == 0


def test_filtering_by_an_unknown_status_is_a_400(client_for, owner):
    assert client_for(owner).get(URL, {"status": "exploded"}).status_code == 400


@pytest.mark.parametrize("count", [2, 12])
def test_listing_jobs_runs_a_constant_number_of_queries(client_for, owner, count):
    for index in range(count):
        ImportJob.objects.create(owner=owner, source_kind="file", source=f"{index}.md")
    client = client_for(owner)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.json()["results"]) == count
    assert len(queries) <= 3


def test_uploads_over_the_size_limit_are_refused(client_for, owner, settings):
    settings.NEXUS_MAX_UPLOAD_BYTES = 1000
    upload = _upload(data=b"# big\n" + b"x" * 2000)
    response = client_for(owner).post(URL, {"file": upload}, format="multipart")
    assert response.status_code in (400, 413)
    assert ImportJob.objects.count() == 0


def test_a_zip_upload_is_imported_file_by_file(
    client_for, owner, django_capture_on_commit_callbacks
):
    upload = _zip_upload({"docs/README.md": JOURNAL, "../escape.md": "# nope"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 201
    report = ImportJob.objects.get().report
    statuses = {f["path"]: f["status"] for f in report["file_reports"]}
    assert statuses == {"docs/README.md": "imported", "../escape.md": "skipped"}


def test_a_5000_file_zip_is_a_400_on_the_file_field_at_once_and_nothing_is_queued(
    client_for, owner, django_capture_on_commit_callbacks
):
    upload = _zip_upload({f"notes/{n}.md": f"# Note {n}\n" for n in range(5000)})
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(owner).post(URL, {"file": upload}, format="multipart")
    elapsed = time.perf_counter() - started
    figures.report(
        f"zip: a 5,000-file upload answered {response.status_code} in {elapsed * 1000:.0f} ms"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "file"
    assert "5,000 entries; an import takes at most 2,000" in error["message"]
    assert (ImportJob.objects.count(), callbacks) == (0, [])
    assert elapsed < 5


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({f"{n}.md": "# n" for n in range(11)}, "11 entries"),
        ({f"{n}.md": "\n" * 400_000 for n in range(3)}, "times its size"),
    ],
)
def test_an_archive_over_a_limit_is_refused_before_a_job_exists(
    client_for, owner, settings, files, words
):
    settings.NEXUS_IMPORT_MAX_FILES = 10
    response = client_for(owner).post(URL, {"file": _zip_upload(files)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert words in response.json()["errors"][0]["message"]
    assert ImportJob.objects.count() == 0


def test_a_job_whose_archive_turns_out_damaged_fails_with_the_reason(
    owner, django_capture_on_commit_callbacks
):
    data = bytearray(_zip_upload({"a.md": bytes(range(256)) * 40}).read())
    data[60] ^= 0xFF
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(owner=owner, upload_name="a.zip", upload_data=bytes(data))
    job.refresh_from_db()
    assert job.status == "failed"
    assert "damaged" in job.error


def test_a_queued_job_is_held_to_the_limits_in_force_when_it_runs(owner, settings):
    job = import_job_create(
        owner=owner,
        upload_name="docs.zip",
        upload_data=_zip_upload({f"{n}.md": "# n" for n in range(5)}).read(),
    )
    settings.NEXUS_IMPORT_MAX_FILES = 4
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.error) == (
        "failed",
        "The archive holds 5 entries; an import takes at most 4 (files and folders).",
    )
