"""Fixtures of the fuzz tests (the summary lines are written by tests/conftest.py)."""

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from tests.factories import UserFactory
from tests.fuzz import harness


@pytest.fixture(autouse=True)
def no_outbound_network(monkeypatch):
    harness.refuse_outbound_network(monkeypatch)


@pytest.fixture
def learner(db):
    """The fuzzers' user: a plain learner, signed in with a JWT on every request."""
    return UserFactory(display_name="Fuzz Learner")


@pytest.fixture
def learner_headers(learner):
    return {"Authorization": f"Bearer {AccessToken.for_user(learner)}"}
