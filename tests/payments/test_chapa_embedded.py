"""`make run` in embedded mode: with no CHAPA_* set, `manage.py serve` starts the local Chapa
beside Nexus and points the settings (and, through the environment, granian's workers) at it."""

import pytest

from nexus.core.companions import start_companions
from nexus.payments import chapa
from nexus.payments.sandbox import embedded

NAMES = (*embedded.CHAPA_VARIABLES, "NEXUS_BASE_URL")


@pytest.fixture
def nothing_configured(settings, monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)  # restored after the test
        setattr(settings, name, getattr(settings, name))  # likewise
    for name in embedded.CHAPA_VARIABLES:
        setattr(settings, name, "")
    settings.PRODUCTION = False
    started = []
    real_start = embedded.start
    monkeypatch.setattr(
        embedded, "start", lambda **kwargs: started.append(real_start(**kwargs)) or started[-1]
    )
    yield
    for server in started:
        server.stop()


def test_serve_starts_the_local_chapa_when_nothing_is_configured(nothing_configured, settings):
    import os

    lines = start_companions("http://127.0.0.1:8031")

    assert lines == [
        f"Chapa test server on {settings.CHAPA_BASE_URL} (no CHAPA_* set; no money moves)"
    ]
    assert chapa.chapa_configured()
    assert chapa.banks()
    assert os.environ["CHAPA_BASE_URL"] == settings.CHAPA_BASE_URL
    assert os.environ["CHAPA_SECRET_KEY"] == embedded.EMBEDDED_SECRET_KEY
    assert settings.NEXUS_BASE_URL == "http://127.0.0.1:8031"


def test_a_configured_chapa_is_left_alone(nothing_configured, settings):
    settings.CHAPA_BASE_URL = "https://api.chapa.co"

    assert embedded.start_if_wanted("http://127.0.0.1:8031") is None


def test_production_never_starts_it(nothing_configured, settings):
    settings.PRODUCTION = True

    assert embedded.start_if_wanted("http://127.0.0.1:8031") is None
