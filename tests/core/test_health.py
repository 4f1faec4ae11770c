import pytest
from django.core.cache.backends.redis import RedisCache

from nexus.core import health

pytestmark = pytest.mark.django_db


def test_healthz_names_the_replica(client, settings):
    settings.NEXUS_REPLICA = "web-7"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "replica": "web-7"}


def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in checks.values())


def test_readyz_is_503_and_names_the_broker_when_it_is_down(client, celery_broker):
    celery_broker("amqp://guest:guest@127.0.0.1:1//")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readyz_is_503_when_the_cache_is_down(client, monkeypatch):
    unreachable_redis = RedisCache("redis://127.0.0.1:1/0", {})
    monkeypatch.setattr(health, "cache", unreachable_redis)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def test_metrics_are_exported_for_prometheus(client, settings, db):
    settings.NEXUS_METRICS_TOKEN = "a-metrics-token-for-prometheus-0123456789"
    client.get("/healthz")
    response = client.get(
        "/metrics", headers={"Authorization": f"Bearer {settings.NEXUS_METRICS_TOKEN}"}
    )
    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content
