"""Browsers' violation reports are collected: both formats, one counted row per kind of violation,
bounded, and every malformed or oversized report refused with a clear error."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from nexus.csp import services
from nexus.csp.models import Violation

pytestmark = pytest.mark.django_db

ENDPOINT = "/csp-reports/"
PAGE = "http://testserver/articles/caching-with-redis/"


def legacy_report(**fields) -> dict:
    """What Chromium posts to report-uri (application/csp-report) for an inline script."""
    report = {
        "document-uri": PAGE,
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'; script-src 'self' 'nonce-abc'",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "column-number": 5,
        "source-file": "http://testserver/articles/caching-with-redis/?utm=x",
        "status-code": 200,
        "script-sample": "alert(document.cookie)",
    }
    report.update(fields)
    return {"csp-report": report}


def reporting_api_report(**body) -> dict:
    """One report of a Reporting API batch (application/reports+json)."""
    values = {
        "documentURL": PAGE,
        "referrer": "",
        "blockedURL": "https://cdn.example.net/lib.js?v=3",
        "effectiveDirective": "script-src-elem",
        "originalPolicy": "default-src 'self'",
        "sourceFile": None,
        "sample": "",
        "disposition": "enforce",
        "statusCode": 200,
        "lineNumber": None,
        "columnNumber": None,
    }
    values.update(body)
    return {
        "age": 10,
        "type": "csp-violation",
        "url": values["documentURL"],
        "user_agent": "Chromium",
        "body": values,
    }


def post(payload, content_type="application/csp-report", client=None, **extra):
    body = payload if isinstance(payload, bytes | str) else json.dumps(payload)
    return (client or Client()).post(ENDPOINT, body, content_type=content_type, **extra)


def fields_in_error(response) -> set[str]:
    assert response["Content-Type"] == "application/problem+json"
    return {error["field"] for error in response.json().get("errors", [])}


def test_a_report_uri_report_is_stored_by_page_pattern_and_counted():
    assert post(legacy_report()).status_code == 204
    other_article = legacy_report(**{"document-uri": "http://testserver/articles/other/#top"})
    assert post(other_article).status_code == 204

    violation = Violation.objects.get()
    assert violation.page_route == "/articles/<slug:slug>/"
    assert violation.page_path == "/articles/other/"
    assert violation.directive == "script-src-elem"
    assert violation.blocked_uri == "inline"
    assert violation.disposition == "enforce"
    assert violation.count == 2
    assert violation.source_file == "http://testserver/articles/caching-with-redis/"
    assert violation.line_number == 12
    assert violation.sample == "alert(document.cookie)"


def test_a_reporting_api_batch_is_stored_and_other_report_types_are_skipped():
    batch = [
        reporting_api_report(),
        reporting_api_report(effectiveDirective="img-src", blockedURL="data"),
        reporting_api_report(blockedURL="https://cdn.example.net/other.js"),
        {"type": "deprecation", "url": PAGE, "body": {"id": "Something", "message": "old"}},
    ]
    assert post(batch, content_type="application/reports+json").status_code == 204

    rows = {(v.directive, v.blocked_uri): v.count for v in Violation.objects.all()}
    assert rows == {("script-src-elem", "https://cdn.example.net"): 2, ("img-src", "data"): 1}


def test_old_browsers_that_only_name_the_violated_directive_are_understood():
    report = legacy_report(**{"violated-directive": "style-src 'self'"})
    del report["csp-report"]["effective-directive"]
    assert post(report, content_type="application/json").status_code == 204
    assert Violation.objects.get().directive == "style-src"


def test_a_report_without_any_directive_is_refused():
    report = legacy_report()
    del report["csp-report"]["effective-directive"]
    del report["csp-report"]["violated-directive"]
    response = post(report)
    assert response.status_code == 400
    assert fields_in_error(response) == {"csp-report.effective-directive"}


def test_reports_about_other_sites_pages_are_ignored():
    foreign = legacy_report(**{"document-uri": "https://elsewhere.example/articles/x/"})
    not_a_page = legacy_report(**{"document-uri": "about:blank"})
    assert post(foreign).status_code == 204
    assert post(not_a_page).status_code == 204
    assert not Violation.objects.exists()


def test_a_page_no_pattern_matches_is_one_kind():
    for path in ("/no/such/page/", "/another/missing/one/"):
        post(legacy_report(**{"document-uri": f"http://testserver{path}"}))
    assert Violation.objects.get().page_route == services.UNMATCHED_ROUTE
    assert Violation.objects.get().count == 2


def test_the_table_is_bounded_but_known_kinds_keep_counting(settings, caplog):
    settings.NEXUS_CSP_MAX_VIOLATIONS = 2
    for directive in ("script-src-elem", "style-src-elem", "img-src", "script-src-elem"):
        post(legacy_report(**{"effective-directive": directive}))
    counts = dict(Violation.objects.values_list("directive", "count"))
    assert counts == {"script-src-elem": 2, "style-src-elem": 1}
    assert "the table is full" in caplog.text


def test_browsers_post_without_a_csrf_token_or_session():
    client = Client(enforce_csrf_checks=True)
    assert post(legacy_report(), client=client).status_code == 204


def test_counting_a_known_kind_takes_a_constant_number_of_queries(django_assert_max_num_queries):
    post(legacy_report())
    with django_assert_max_num_queries(3):  # savepoint, update, release
        assert post(legacy_report()).status_code == 204


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "csp-report"),
        ({"csp-report": "inline"}, "csp-report"),
        (legacy_report(**{"document-uri": None}), "csp-report.document-uri"),
        (
            legacy_report(**{"effective-directive": "script-src 'self'"}),
            "csp-report.effective-directive",
        ),
        (legacy_report(**{"line-number": -3}), "csp-report.line-number"),
        (legacy_report(**{"disposition": "ignore"}), "csp-report.disposition"),
    ],
)
def test_a_malformed_report_uri_report_is_refused_with_the_field(payload, field):
    response = post(payload)
    assert response.status_code == 400
    assert field in fields_in_error(response)
    assert not Violation.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (reporting_api_report(), "__all__"),  # one report, not a list of them
        ([reporting_api_report(effectiveDirective="")], "0.body.effectiveDirective"),
        ([reporting_api_report(documentURL=None)], "0.body.documentURL"),
        ([{"type": "csp-violation"}], "0.body"),
        ([reporting_api_report()] * 101, "__all__"),
    ],
)
def test_a_malformed_reporting_api_batch_is_refused_with_the_field(payload, field):
    response = post(payload, content_type="application/reports+json")
    assert response.status_code == 400
    assert field in fields_in_error(response)
    assert not Violation.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe", b"[" * 50_000 + b"]" * 50_000, b'{"csp-report": {'],
)
def test_a_body_that_is_not_json_is_refused(settings, body):
    settings.NEXUS_CSP_REPORT_MAX_BYTES = 200_000
    response = post(body)
    assert response.status_code == 400
    assert response.json()["detail"] == "The report is not valid JSON."


def test_an_oversized_report_is_refused_before_it_is_read(settings):
    settings.NEXUS_CSP_REPORT_MAX_BYTES = 1024
    report = legacy_report(**{"script-sample": "x" * 2000})
    response = post(report)
    assert response.status_code == 413
    assert "at most 1024 bytes" in response.json()["detail"]
    assert not Violation.objects.exists()


def test_other_content_types_and_methods_are_refused():
    assert post(legacy_report(), content_type="text/plain").status_code == 415
    assert Client().get(ENDPOINT).status_code == 405


def test_each_address_is_throttled(settings):
    settings.NEXUS_CSP_REPORT_RATE = "2/minute"
    statuses = [post(legacy_report()).status_code for _ in range(3)]
    assert statuses == [204, 204, 429]
    from_elsewhere = post(legacy_report(), REMOTE_ADDR="203.0.113.9")
    assert from_elsewhere.status_code == 204
    assert Violation.objects.get().count == 3


def test_admins_see_the_collected_violations_but_cannot_invent_them(admin_user):
    post(legacy_report())
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/csp/violation/")
    assert page.status_code == 200
    assert "/articles/&lt;slug:slug&gt;/" in page.content.decode()
    assert client.get("/admin/csp/violation/add/").status_code == 403


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; no race to lose"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("many_threads_queue_for_the_pool")
def test_concurrent_reports_of_a_new_kind_make_one_row_with_the_exact_count():
    count = 12
    barrier = threading.Barrier(count)
    errors = []
    report = services.ReportedViolation(document_uri=PAGE, directive="style-src-attr")

    def record() -> None:
        try:
            barrier.wait()
            services.violations_record(reports=[report], site_host="testserver")
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Violation.objects.get().count == count
