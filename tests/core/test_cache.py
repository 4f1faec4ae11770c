"""With Redis unreachable, the best-effort cache misses and pages still answer; the default cache,
which guards things such as login limits, still raises so those fail closed."""

import pytest
from django.core.cache import caches
from django.test import override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from nexus.core.cache import BestEffortRedisCache
from nexus.core.markdown import render_markdown
from tests.knowledge.factories import make_article

# Nothing listens on port 1: every connection is refused, as when Redis is stopped.
UNREACHABLE = "redis://127.0.0.1:1/0"
REDIS_DOWN = {
    "default": {"BACKEND": "nexus.core.cache.StrictRedisCache", "LOCATION": UNREACHABLE},
    "best_effort": {"BACKEND": "nexus.core.cache.BestEffortRedisCache", "LOCATION": UNREACHABLE},
}


@pytest.fixture
def redis_down(fresh_cache):
    """Both cache aliases on a Redis that refuses connections (set after, undone before, the
    autouse fixture that clears the caches between tests)."""
    with override_settings(CACHES=REDIS_DOWN):
        yield


def test_the_best_effort_cache_misses_and_drops_writes_while_redis_is_away():
    cache = BestEffortRedisCache(UNREACHABLE, {})
    assert cache.get("key", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("key") is False
    assert cache.add("key", 1) is False
    cache.set("key", 1)
    cache.set_many({"a": 1})
    assert cache.touch("key") is False
    assert cache.delete("key") is False
    cache.delete_many(["a"])


def test_a_counter_on_the_best_effort_cache_still_raises():
    with pytest.raises(RedisConnectionError):
        BestEffortRedisCache(UNREACHABLE, {}).incr("attempts")


@pytest.mark.usefixtures("redis_down")
def test_the_default_cache_lets_redis_errors_through_so_guards_fail_closed():
    with pytest.raises(RedisConnectionError):
        caches["default"].get("login-failures")


@pytest.mark.usefixtures("redis_down")
def test_markdown_renders_without_redis():
    assert "<strong>bold</strong>" in render_markdown("**bold**").html


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_down")
def test_articles_are_written_and_served_without_redis(client, api_client, owner):
    article = make_article(owner, title="Served while Redis is down", body="**Body**")
    for path in ("/", "/articles/", f"/articles/{article.slug}/", "/api/v1/articles/"):
        assert client.get(path).status_code == 200, path
    response = api_client.get(f"/api/v1/articles/{article.slug}/")
    assert response.status_code == 200
    assert "<strong>Body</strong>" in response.json()["body_html"]
