"""Every long Markdown text box is the editor (toolbar, live preview, attachments) with its label
beside it, never around its buttons; the preview renders what saving would store."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from nexus.collab.services.issues import issue_create
from nexus.core import clock
from nexus.journal import services as journal
from tests.collab.conftest import pets_api, pets_v1

__all__ = ("pets_api", "pets_v1")  # the catalog's fixtures, for the issue pages


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _editor_of(page: str, name: str) -> str:
    """The editor's field block: its label and everything up to the next field."""
    found = re.search(
        rf'<div class="md-field">\s*<label for="(id_[^"]*{name})">([^<]*)</label>(.*?)data-md-editor',
        page,
        re.S,
    )
    assert found, f"no editor for {name}"
    return found.group(2).strip()


@pytest.fixture
def entry(owner):
    return journal.entry_create(author=owner, date=clock.today(), body="Set up **Celery**.")


@pytest.mark.parametrize(
    ("page", "field", "label"),
    [
        (lambda ctx: reverse("journal:month"), "body", "What did you do and learn?"),
        (lambda ctx: reverse("journal:entry_edit", args=[ctx["entry"].pk]), "body", None),
        (lambda ctx: reverse("collab:issue_create", args=[ctx["api"].slug]), "body", "Body"),
        (lambda ctx: reverse("collab:issue_detail", args=[ctx["issue"].pk]), "body", "Comment"),
    ],
    ids=["journal month", "entry edit", "new integration issue", "issue comment"],
)
def test_long_markdown_fields_are_the_editor_with_its_assets(
    owner, entry, pets_v1, page, field, label
):
    issue = issue_create(reporter=owner, api=pets_v1.api, title="Broken pagination")
    url = page({"entry": entry, "api": pets_v1.api, "issue": issue})

    html = _signed_in(owner).get(url).content.decode()

    found = _editor_of(html, field)
    assert label is None or found == label
    assert "js/editor.js" in html
    assert 'data-preview-url="/markdown/preview/"' in html
    assert '<label for="id_body">' not in html.replace(f'<label for="id_body">{found}</label>', "")


def test_no_toolbar_button_sits_inside_a_label(owner, entry):
    html = _signed_in(owner).get(reverse("journal:month")).content.decode()
    for label in re.findall(r"<label\b.*?</label>", html, re.S):
        assert "<button" not in label, label[:200]
