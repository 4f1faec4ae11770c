"""The corpus's version pairs, uploaded through the service, produce the changelogs expected."""

import pytest

from nexus.collab.models import SpecChange
from nexus.collab.services.catalog import api_create, spec_version_create
from tests.collab.conftest import corpus_or_skip

pytestmark = pytest.mark.django_db


def upload_pair(owner, base):
    corpus = corpus_or_skip()
    api = api_create(actor=owner, name=base)
    for suffix in ("v1", "v2"):
        raw = (corpus / f"{base}__openapi.yaml__{suffix}").read_bytes()
        version, created = spec_version_create(api=api, raw=raw, source="upload", actor=owner)
        assert created
    changes = list(SpecChange.objects.filter(version=version).order_by("position"))
    return version, changes


def kinds(changes, severity=None):
    return {(c.kind, c.operation_key) for c in changes if severity in (None, c.severity)}


def test_ryder_cup_reports_removed_operations_and_the_changed_request_body(owner):
    version, changes = upload_pair(owner, "1007zeoul__ryder-cup-api")
    breaking = kinds(changes, "breaking")
    assert ("operation_removed", "POST /add_player") in breaking
    assert ("operation_removed", "GET /get_standings") in breaking
    assert ("request_body_added_required", "POST /start_tournament") in breaking
    assert ("request_field_removed", "POST /submit_score") in breaking
    assert ("operation_added", "GET /scoreboard/{tournament_id}") in kinds(changes, "non-breaking")
    assert version.breaking_count == len([c for c in changes if c.severity == "breaking"])


def test_a_new_required_property_breaks_requests_only(owner):
    _, changes = upload_pair(owner, "18Nilsou__API-Quality-of-Code")
    breaking = [c for c in changes if c.severity == "breaking"]
    assert breaking
    assert {c.kind for c in breaking} == {"request_field_added_required"}
    assert all("award" in c.detail for c in breaking)
    assert {c.kind for c in changes if c.severity == "non-breaking"} == {"response_field_added"}


def test_a_description_sentence_is_a_non_breaking_documentation_change(owner):
    _, changes = upload_pair(owner, "0dminnimda__enrollment_yandex_academy")
    assert [(c.kind, c.severity) for c in changes] == [("documentation_changed", "non-breaking")]


def test_a_new_server_url_is_non_breaking(owner):
    _, changes = upload_pair(owner, "123CarlosDaniel__task-manager-api")
    assert [(c.kind, c.severity) for c in changes] == [("server_changed", "non-breaking")]
    assert "onrender.com" in changes[0].detail
