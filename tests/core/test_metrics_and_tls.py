"""/metrics answers Prometheus's bearer token only; production redirects to HTTPS but its probes."""

import pytest

TOKEN = "a-metrics-token-for-prometheus-0123456789"


@pytest.fixture
def metrics_token(settings, db):
    """/metrics with its token; a scrape reads the outbox table (nexus/core/metrics.py)."""
    settings.NEXUS_METRICS_TOKEN = TOKEN
    return TOKEN


def test_without_a_configured_token_there_are_no_metrics(client, settings):
    settings.NEXUS_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize(
    "authorization",
    ["", f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer", f"Token {TOKEN}"],
)
def test_a_request_without_the_token_is_401(client, metrics_token, authorization):
    response = client.get("/metrics", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert response.json()["detail"] == "Send the metrics token as a bearer token."
    assert b"django_http" not in response.content


def test_prometheus_with_the_token_gets_the_metrics(client, metrics_token):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"django_http_requests_total_by_method_total" in response.content


@pytest.fixture
def https_only(settings):
    """Production's TLS settings, in-process."""
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_over_plain_http(client, https_only, path):
    assert client.get(path).status_code in {200, 503}


def test_prometheus_scrapes_over_plain_http(client, https_only, metrics_token):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/", "/articles/", "/api/v1/articles/", "/healthz/x"])
def test_pages_over_plain_http_redirect_to_https(client, https_only, path):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{path}"


def test_behind_the_tls_proxy_pages_are_served(client, https_only, settings, db):
    # What NEXUS_TRUSTED_PROXIES=1 sets (tests/core/test_settings.py checks that it does).
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/articles/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200


def test_with_no_trusted_proxy_a_client_cannot_claim_https(client, https_only, db):
    response = client.get("/articles/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 301
