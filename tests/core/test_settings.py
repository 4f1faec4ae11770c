"""Production mode refuses unsafe settings and passes Django's deployment checks when safe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAFE_PRODUCTION_ENV = {
    "NEXUS_MODE": "production",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789",
    "ALLOWED_HOSTS": "nexus.example.com",
    # Not connected to by `check`: the deployment checks read settings only.
    "DATABASE_URL": "postgres://nexus:secret@db.example.internal:5432/nexus",
}


def run_manage(*args, **env_changes):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "NEXUS_MODE"}}
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "nexus-embedded-insecure-key-do-not-use-in-production"}, "SECRET_KEY"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "sqlite:////tmp/nexus.sqlite3"}, "PostgreSQL, not sqlite3"),
        ({"DATABASE_URL": "mysql://nexus:secret@db/nexus"}, "PostgreSQL, not mysql"),
        ({"NEXUS_METRICS_TOKEN": "short"}, "NEXUS_METRICS_TOKEN"),
    ],
)
def test_production_mode_refuses_unsafe_settings_and_names_them(change, named):
    result = run_manage("check", **{**SAFE_PRODUCTION_ENV, **change})
    assert result.returncode != 0
    assert "Unsafe production settings" in result.stderr
    assert named in result.stderr


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in SAFE_PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_safe_production_settings_pass_the_deployment_checks():
    # No SECURE_SSL_REDIRECT nor SILENCED_SYSTEM_CHECKS: production redirects to HTTPS (W008).
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **SAFE_PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr


def test_production_refuses_a_media_root_it_cannot_write_unless_a_bucket_takes_attachments(
    tmp_path,
):
    not_a_folder = tmp_path / "media.txt"
    not_a_folder.write_text("a file where the media folder should be")
    media_root = str(not_a_folder / "attachments")
    local = run_manage("check", **SAFE_PRODUCTION_ENV, MEDIA_ROOT=media_root)
    bucket = run_manage(
        "check", **SAFE_PRODUCTION_ENV, MEDIA_ROOT=media_root, NEXUS_MEDIA_S3_BUCKET="media"
    )
    writable = run_manage("check", **SAFE_PRODUCTION_ENV, MEDIA_ROOT=str(tmp_path / "media"))
    assert local.returncode != 0
    assert "nexus.E001" in local.stderr
    assert bucket.returncode == 0, bucket.stderr
    assert writable.returncode == 0, writable.stderr


def test_production_mode_starts_without_metrics_or_with_a_long_metrics_token():
    token = "m" * 32
    result = run_manage("check", **SAFE_PRODUCTION_ENV, NEXUS_METRICS_TOKEN=token)
    assert result.returncode == 0, result.stderr


def test_embedded_mode_runs_on_sqlite(tmp_path):
    """The README's quick start (embedded mode) keeps its SQLite database."""
    result = run_manage("check", DATABASE_URL=f"sqlite:///{tmp_path / 'nexus.sqlite3'}")
    assert result.returncode == 0, result.stderr


def test_an_unknown_mode_is_refused():
    result = run_manage("check", NEXUS_MODE="staging")
    assert result.returncode != 0
    assert "NEXUS_MODE" in result.stderr


@pytest.mark.parametrize(("proxies", "header"), [("0", "None"), ("1", "HTTP_X_FORWARDED_PROTO")])
def test_x_forwarded_proto_counts_only_behind_a_trusted_proxy(proxies, header):
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    result = run_manage("shell", "-c", code, NEXUS_TRUSTED_PROXIES=proxies)
    assert result.returncode == 0, result.stderr
    assert header in result.stdout
