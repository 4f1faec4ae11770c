"""Shared fixtures: an owner / other user / mentor / admin set, and API clients for each."""

import pytest
from rest_framework.test import APIClient

from nexus.accounts.models import Role
from nexus.celery import app as celery_app
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def inline_tasks():
    """Tests run tasks inline; broker tests start their own worker against RabbitMQ."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters and cached values never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(db):
    return UserFactory(display_name="Olivia Owner")


@pytest.fixture
def other_user(db):
    return UserFactory(display_name="Oscar Other")


@pytest.fixture
def mentor(db):
    return UserFactory(display_name="Maya Mentor", role=Role.MENTOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(display_name="Ada Admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client logged in (by forced authentication) as the given user."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests create hundreds, and hash strength is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def celery_broker(monkeypatch):
    """Point Celery at a broker URL for one test, with no pooled connection to the old one."""

    def use(url):
        monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        _drop_broker_connections()

    yield use
    _drop_broker_connections()


def _drop_broker_connections():
    celery_app.close()
    celery_app.amqp._producer_pool = None
