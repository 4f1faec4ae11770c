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
    "DATABASE_URL": "sqlite:////tmp/nexus-settings-test.sqlite3",
    "SECURE_SSL_REDIRECT": "true",
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
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **SAFE_PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr


def test_an_unknown_mode_is_refused():
    result = run_manage("check", NEXUS_MODE="staging")
    assert result.returncode != 0
    assert "NEXUS_MODE" in result.stderr
