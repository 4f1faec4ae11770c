"""Readiness checks of the services Nexus depends on."""

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from nexus.celery import app as celery_app

CHECK_TIMEOUT_SECONDS = 2


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_cache() -> dict[str, Any]:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return {"ok": ok, "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_broker() -> dict[str, Any]:
    if celery_app.conf.task_always_eager:
        return {"ok": True, "mode": "inline"}
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
    return {"ok": True, "mode": "broker"}


READINESS_CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def run_readiness_checks() -> dict[str, dict[str, Any]]:
    """Run every check; a failing one reports its error instead of raising."""
    results = {}
    for name, check in READINESS_CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # any failure means "not ready", whatever its type
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return results
