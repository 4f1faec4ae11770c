"""The import pages: upload a journal, follow the job, read the report; permissions."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.challenges.models import Challenge
from nexus.importer.management.commands.load_demo import DEMO_DIR
from nexus.importer.models import ImportJob
from nexus.importer.services import import_job_create
from nexus.journal.models import Entry
from nexus.knowledge.models import Article
from tests.importer.journals import JOURNAL


@pytest.fixture
def web(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_uploading_a_journal_redirects_to_its_report(
    web, owner, django_capture_on_commit_callbacks
):
    client = web(owner)
    upload = SimpleUploadedFile("README.md", JOURNAL.encode(), content_type="text/markdown")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/", {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.pk}/"
    response = client.get(response["Location"])
    html = response.content.decode()
    assert 'data-status="succeeded"' in html
    assert "Test query counts" in html
    assert "Slow list page" in html
    assert "waiting for the challenges feature" not in html


def test_a_running_job_polls_itself_with_htmx(web, owner):
    job = ImportJob.objects.create(owner=owner, source_kind="file", source="a.md", status="running")
    response = web(owner).get(f"/imports/{job.pk}/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "<html" not in html


def test_the_form_shows_field_errors_next_to_fields(web, owner):
    response = web(owner).post("/imports/", {"url": "file:///etc"})
    assert response.status_code == 400
    assert 'data-field="url"' in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_an_archive_over_the_file_cap_is_refused_next_to_the_file_field(web, owner, settings):
    settings.NEXUS_IMPORT_MAX_FILES = 2
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("a.md", "b.md", "c.md"):
            archive.writestr(name, "# x")
    upload = SimpleUploadedFile("docs.zip", buffer.getvalue(), content_type="application/zip")
    response = web(owner).post("/imports/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="file"' in html
    assert "holds 3 entries; an import takes at most 2" in html
    assert ImportJob.objects.count() == 0


def test_pages_need_a_login_and_jobs_are_private(client, web, owner, other_user, admin_user):
    job = import_job_create(owner=owner, upload_name="a.md", upload_data=b"# A\n")
    assert client.get("/imports/").status_code == 302
    assert web(other_user).get(f"/imports/{job.pk}/").status_code == 403
    assert web(admin_user).get(f"/imports/{job.pk}/").status_code == 200
    assert web(owner).get("/imports/999999/").status_code == 404


def test_the_import_page_has_an_empty_state_and_a_nav_link(web, owner):
    html = web(owner).get("/imports/").content.decode()
    assert "No imports yet" in html
    assert 'href="/imports/"' in html


@pytest.mark.parametrize("count", [2, 15])
def test_the_job_list_runs_a_constant_number_of_queries(web, owner, count):
    for index in range(count):
        ImportJob.objects.create(owner=owner, source_kind="file", source=f"{index}.md")
    client = web(owner)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/imports/")
    assert response.content.decode().count("/imports/") >= count
    assert len(queries) <= 6


def test_anonymous_readers_of_the_demo_content_see_no_path_on_the_server(client, db):
    call_command("load_demo", stdout=io.StringIO())
    server_path = str(DEMO_DIR.parent)
    articles = Article.objects.filter(status="published")
    assert articles.count() >= 10
    for article in articles:
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert server_path not in response.content.decode(), article.title
    source = articles.get(title="Backend learning journal (demo)")
    assert "Imported from `learning-journal.md` in an imported folder." in source.body
    for body in Entry.objects.values_list("body", flat=True):
        assert server_path not in body
    for body in Challenge.objects.values_list("body", flat=True):
        assert server_path not in body
