"""The permission matrix's world, built once per module, and its figures at the end of the run."""

import logging
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from nexus.celery import app as celery_app
from tests import chapa
from tests.security.matrix import Asker
from tests.security.world import build_world

# Cells asked, answers unlike the table, and things without a row, over the run.
TALLY = {"cells": 0, "mismatches": 0, "unclassified": 0}
_COUNTED: list[str] = []


@pytest.fixture(scope="module")
def asker(
    django_db_setup, django_db_blocker, tmp_path_factory, _chapa_test_server
) -> Iterator[Asker]:
    """One world for every cell of the module, in a transaction rolled back at its end; each
    cell runs in a savepoint of its own (Asker.ask)."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    # Strawberry logs every error it answers with, a refused anonymous query's included.
    graphql_errors = logging.getLogger("strawberry.execution")
    graphql_errors.disabled = True
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # Attachments the cells upload, and the world's own, are files outside the checkout.
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        # Offers (bounties, sponsorships) open a checkout at the local Chapa test server.
        CHAPA_SECRET_KEY=chapa.SECRET_KEY,
        CHAPA_WEBHOOK_SECRET=chapa.WEBHOOK_SECRET,
        CHAPA_BASE_URL=_chapa_test_server.url,
    )
    try:
        with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
            yield Asker(build_world())
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager
        graphql_errors.disabled = False


@pytest.fixture
def tally():
    """Add a test's figures to the line printed at the end of the run."""

    def count(**figures: int) -> None:
        _COUNTED.append(",".join(figures))
        for name, value in figures.items():
            TALLY[name] += value

    return count


def pytest_terminal_summary(terminalreporter):
    if _COUNTED:
        terminalreporter.section("permission matrix")
        terminalreporter.write_line(
            f"permission matrix: {TALLY['cells']} cells, {TALLY['mismatches']} mismatches, "
            f"{TALLY['unclassified']} unclassified"
        )
