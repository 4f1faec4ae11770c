"""Editor attachments: sniffed from their bytes, capped, images re-encoded, served inert.

Design: uploading needs a signed-in user; reading needs only the link. An attachment is embedded
in articles, challenges and answers that visitors read, so its URL (an unguessable key) is the
capability, as for images on GitHub or Stack Overflow.
"""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client
from PIL import Image

from nexus.core.markdown import render_markdown
from nexus.core.middleware import MULTIPART_ENVELOPE_BYTES
from nexus.knowledge import services
from nexus.knowledge.models import Attachment
from tests.core.test_settings import run_manage
from tests.refusals import assert_refused

pytestmark = pytest.mark.django_db
UPLOAD = "/attachments/"
SECRET_EXIF = "Ada's phone at 51.5N"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def image_bytes(fmt="PNG", size=(8, 6), exif=False):
    image = Image.new("RGB", size, (200, 30, 30))
    output = io.BytesIO()
    options = {}
    if exif:
        metadata = Image.Exif()
        metadata[0x010F] = SECRET_EXIF  # Make
        metadata[0x9286] = SECRET_EXIF  # UserComment
        options["exif"] = metadata
    image.save(output, format=fmt, **options)
    return output.getvalue()


def upload(client, name, content, content_type="application/octet-stream"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content, content_type)})


def stored_bytes(attachment):
    with attachment.file.open("rb") as stored:
        return stored.read()


def field_errors(response):
    assert response["Content-Type"] == "application/problem+json"
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_an_image_is_sniffed_re_encoded_and_answered_with_its_markdown(owner):
    response = upload(client_for(owner), "My cat!.png", image_bytes(), "text/html")
    assert response.status_code == 201
    body = response.json()
    attachment = Attachment.objects.get()
    assert (attachment.owner, attachment.content_type) == (owner, "image/png")
    assert (attachment.width, attachment.height, attachment.name) == (8, 6, "My-cat.png")
    assert re.fullmatch(r"attachments/[0-9a-f-]{36}\.png", attachment.file.name)
    assert body["markdown"] == f"![My-cat.png]({attachment.get_absolute_url()})"
    assert body["url"].startswith("/attachments/")


def test_re_encoding_drops_exif_metadata(owner):
    original = image_bytes("JPEG", exif=True)
    assert SECRET_EXIF.encode() in original
    response = upload(client_for(owner), "photo.jpeg", original, "image/jpeg")
    assert response.status_code == 201
    stored = stored_bytes(Attachment.objects.get())
    assert SECRET_EXIF.encode() not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {}
        assert image.format == "JPEG"


def test_a_polyglot_loses_what_follows_the_image(owner):
    polyglot = image_bytes("GIF") + b"<script>alert(document.cookie)</script>"
    response = upload(client_for(owner), "polyglot.gif", polyglot, "image/gif")
    assert response.status_code == 201
    stored = stored_bytes(Attachment.objects.get())
    assert b"<script" not in stored
    assert stored.startswith(b"GIF8")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cat.png", b"<html><body><script>alert(1)</script></body></html>"),
        ("cat.png", b"  <!DOCTYPE html><p>hi"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
        ("archive.zip", b"PK\x03\x04" + bytes(40)),
    ],
)
def test_markup_and_unlisted_types_are_refused_with_a_field_message(owner, name, content):
    response = upload(client_for(owner), name, content, "image/png")
    assert response.status_code == 400
    assert "not accepted" in field_errors(response)["file"]
    assert not Attachment.objects.exists()


def test_a_damaged_image_is_refused(owner):
    truncated = image_bytes(size=(64, 64))[:60]
    response = upload(client_for(owner), "broken.png", truncated, "image/png")
    assert response.status_code == 400
    assert "damaged" in field_errors(response)["file"]


def test_the_size_cap_is_a_field_error(owner, settings):
    settings.NEXUS_ATTACHMENT_MAX_BYTES = 1024
    response = upload(client_for(owner), "notes.txt", b"a" * 1025, "text/plain")
    assert response.status_code == 400
    assert "at most" in field_errors(response)["file"]
    assert not Attachment.objects.exists()


def test_the_request_body_limit_comes_first(owner, settings):
    settings.NEXUS_MAX_UPLOAD_BYTES = 2048
    too_large = b"a" * (2048 + MULTIPART_ENVELOPE_BYTES + 1)
    response = upload(client_for(owner), "notes.txt", too_large, "text/plain")
    assert response.status_code == 413
    assert not Attachment.objects.exists()


def test_a_file_at_the_upload_limit_gets_the_field_error_not_a_413(owner, settings):
    settings.NEXUS_MAX_UPLOAD_BYTES = settings.NEXUS_ATTACHMENT_MAX_BYTES = 2048
    at_the_limit = upload(client_for(owner), "notes.txt", b"a" * 2048, "text/plain")
    over = upload(client_for(owner), "notes.txt", b"a" * 2049, "text/plain")
    assert at_the_limit.status_code == 201, at_the_limit.content
    assert over.status_code == 400
    assert "at most" in field_errors(over)["file"]


def test_a_decompression_bomb_is_refused_before_decoding(owner, settings):
    settings.NEXUS_ATTACHMENT_MAX_PIXELS = 10_000
    bomb = image_bytes(size=(1000, 1000))  # a few kB of PNG, a million pixels decoded
    assert len(bomb) < 10_000
    response = upload(client_for(owner), "bomb.png", bomb, "image/png")
    assert response.status_code == 400
    assert "pixels" in field_errors(response)["file"]


def test_empty_and_missing_files_are_field_errors(owner):
    client = client_for(owner)
    assert field_errors(client.post(UPLOAD, {}))["file"] == "Choose a file to attach."
    assert "empty" in field_errors(upload(client, "empty.txt", b""))["file"]


def test_pdf_and_plain_text_are_kept_as_they_are(owner):
    client = client_for(owner)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert upload(client, "spec.pdf", pdf).status_code == 201
    assert upload(client, "log", "naïve café\n".encode()).status_code == 201
    kept = {a.content_type: (a.name, stored_bytes(a)) for a in Attachment.objects.all()}
    assert kept["application/pdf"] == ("spec.pdf", pdf)
    assert kept["text/plain; charset=utf-8"] == ("log.txt", "naïve café\n".encode())


def test_an_hourly_quota_bounds_uploads(owner, settings):
    settings.NEXUS_ATTACHMENTS_PER_HOUR = 2
    client = client_for(owner)
    assert [upload(client, f"{n}.txt", b"x").status_code for n in range(3)] == [201, 201, 400]


def test_visitors_may_not_upload(other_user):
    response = upload(client_for(), "cat.png", image_bytes(), "image/png")
    assert response.status_code == 403
    assert not Attachment.objects.exists()
    other_user.is_active = False
    attempt = SimpleUploadedFile("cat.png", image_bytes(), "image/png")
    assert_refused(
        lambda: services.attachment_create(owner=other_user, upload=attempt),
        lambda: Attachment.objects.count(),
    )


def test_an_image_is_served_inline_with_its_sniffed_type_and_inert(owner, other_user):
    url = upload(client_for(owner), "cat.png", image_bytes(), "text/html").json()["url"]
    for reader in (client_for(), client_for(other_user), client_for(owner)):
        response = reader.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == 'inline; filename="cat.png"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert "Set-Cookie" not in response


def test_head_answers_with_the_same_headers(owner):
    url = upload(client_for(owner), "cat.png", image_bytes()).json()["url"]
    response = client_for().head(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_other_files_are_served_as_downloads(owner):
    url = upload(client_for(owner), "notes.txt", b"plain words").json()["url"]
    response = client_for().get(url)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="notes.txt"'


def test_an_unknown_key_is_not_found(db):
    assert (
        client_for().get("/attachments/0b3c1a52-7d4e-4f5a-9c1b-2d3e4f5a6b7c/x.png").status_code
        == 404
    )
    assert client_for().get("/attachments/not-a-uuid/x.png").status_code == 404


def test_the_sanitiser_keeps_our_attachment_images_and_links(owner):
    url = upload(client_for(owner), "cat.png", image_bytes()).json()["url"]
    html = render_markdown(f"![cat]({url}) and [notes]({url})").html
    assert f'<img src="{url}" alt="cat">' in html
    assert f'href="{url}"' in html


def test_an_s3_bucket_setting_selects_the_s3_storage():
    # `shell -c` only builds the storage object: no request reaches the (absent) endpoint.
    code = (
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url)"
    )
    env = {
        "NEXUS_MEDIA_S3_BUCKET": "nexus-media",
        "NEXUS_MEDIA_S3_ENDPOINT_URL": "http://minio:9000",
    }
    selected = run_manage("shell", "--no-imports", "-c", code, **env).stdout.split()
    assert selected == ["S3Storage", "nexus-media", "http://minio:9000"]
    embedded = code.replace(", s.bucket_name, s.endpoint_url", "")
    assert run_manage("shell", "--no-imports", "-c", embedded).stdout.split() == [
        "FileSystemStorage"
    ]


def test_its_uploader_or_a_moderator_removes_an_attachment_and_its_bytes(
    owner, other_user, mentor, media_in_tmp, django_capture_on_commit_callbacks
):
    first = upload(client_for(owner), "a.txt", b"first").json()["url"]
    second = upload(client_for(owner), "b.txt", b"second").json()["url"]
    mine, theirs = Attachment.objects.order_by("created_at", "id")
    with pytest.raises(PermissionDenied):
        services.attachment_delete(attachment=mine, actor=other_user)

    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment=mine, actor=owner)
        services.attachment_delete(attachment=theirs, actor=mentor)

    assert not Attachment.objects.exists()
    assert [path for path in media_in_tmp.rglob("*") if path.is_file()] == []
    assert client_for().get(first).status_code == client_for().get(second).status_code == 404


def test_the_admin_deletes_an_attachment_with_its_bytes(
    owner, admin_user, media_in_tmp, django_capture_on_commit_callbacks
):
    upload(client_for(owner), "cat.png", image_bytes())
    attachment = Attachment.objects.get()
    admin = client_for(admin_user)
    assert admin.get("/admin/knowledge/attachment/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/admin/knowledge/attachment/{attachment.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert [path for path in media_in_tmp.rglob("*") if path.is_file()] == []


def test_a_failed_save_leaves_no_file_behind(owner, media_in_tmp, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise IntegrityError("the row could not be written")

    monkeypatch.setattr(Attachment, "save", refuse)
    with pytest.raises(IntegrityError):
        services.attachment_create(
            owner=owner, upload=SimpleUploadedFile("a.txt", b"words", "text/plain")
        )
    assert [path for path in media_in_tmp.rglob("*") if path.is_file()] == []
