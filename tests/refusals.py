"""Calling a service as someone its policy refuses: PermissionDenied, and nothing stored."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied

from nexus.core.models import OutboxEvent


def assert_refused(attempt: Callable[[], object], state: Callable[[], object]) -> None:
    """`attempt()` raises PermissionDenied with a message; `state()` and the outbox are unchanged."""
    before = (state(), OutboxEvent.objects.count())
    with pytest.raises(PermissionDenied) as refusal:
        attempt()
    assert str(refusal.value), "a refusal says why"
    assert (state(), OutboxEvent.objects.count()) == before
