"""The importer's service refuses whom its policy refuses, whichever door (or script) calls it."""

import pytest

from nexus.importer import services
from nexus.importer.models import ImportJob
from tests.factories import UserFactory
from tests.refusals import assert_refused

pytestmark = pytest.mark.django_db


def test_an_inactive_account_cannot_queue_an_import():
    inactive = UserFactory(is_active=False)
    assert_refused(
        lambda: services.import_job_create(
            owner=inactive, upload_name="a.md", upload_data=b"# A\n"
        ),
        lambda: ImportJob.objects.count(),
    )
