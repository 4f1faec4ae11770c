"""Long-lived processes load the URLconf and the common code lexers when they start, not inside
their first request or task. Each check runs in a fresh process, where nothing is loaded yet."""

import os
import subprocess
import sys
from pathlib import Path

from nexus.core import markdown

ROOT = Path(__file__).resolve().parents[2]
LOADED = (
    "from django.urls import get_resolver; from nexus.core import markdown as m; "
    "print('urlconf', 'url_patterns' in get_resolver().__dict__, "
    "'lexers', m._lexer.cache_info().currsize)"
)


def run_probe(probe: str, tmp_path: Path) -> str:
    # An empty database: starting must not need one with content (nor stop on its absence).
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    ran = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


def test_a_worker_warms_up_before_its_pool_forks(tmp_path):
    probe = (
        "import django; django.setup(); "
        "from celery.signals import worker_init; from nexus.core.tasks import warm_up_at_start; "
        "print('connected', warm_up_at_start in worker_init._live_receivers(sender=None)); "
        f"{LOADED}; warm_up_at_start(); {LOADED}"
    )
    connected, before, after = run_probe(
        f"import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'nexus.settings'); {probe}",
        tmp_path,
    ).splitlines()[-3:]
    assert connected == "connected True"
    assert before == "urlconf False lexers 0"
    assert after == f"urlconf True lexers {len(markdown.COMMON_LANGUAGES)}"


def test_a_web_process_warms_up_before_its_first_request(tmp_path):
    output = run_probe(f"import nexus.wsgi; {LOADED}", tmp_path)
    assert output.splitlines()[-1] == f"urlconf True lexers {len(markdown.COMMON_LANGUAGES)}"
