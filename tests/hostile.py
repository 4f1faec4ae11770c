"""Hostile input for the sanitiser and the outbound-URL guard, as parametrised test cases.

Two sources, always kept apart:
- tests/data/: the project's own corpora, written for these tests, so a bare clone exercises
  sanitising and the URL guard (xss-vectors.json by class of attack, ssrf-urls.json by spelling);
- ../shared/security/: larger corpora of other people's text, read in place when present (CI).
"""

import json
import socket
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.shared import absent_param, shared_path

DATA_DIR = Path(__file__).resolve().parent / "data"
OWN_XSS = DATA_DIR / "xss-vectors.json"
OWN_SSRF = DATA_DIR / "ssrf-urls.json"
SHARED_XSS = shared_path("security", "xss-payloads.json")
SHARED_SSRF = shared_path("security", "ssrf-urls.txt")


@cache
def _own(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def xss_vectors() -> list[tuple[str, str]]:
    """Every own XSS vector as (class #n, source)."""
    return [
        (f"{name} #{number}", source)
        for name, sources in _own(OWN_XSS)["classes"].items()
        for number, source in enumerate(sources, 1)
    ]


def xss_classes() -> dict[str, list[str]]:
    return dict(_own(OWN_XSS)["classes"])


def harmless_markdown() -> list[dict[str, str]]:
    """Writing that looks hostile to a careless filter; `keeps` must survive as text."""
    return list(_own(OWN_XSS)["harmless"])


def shared_xss_payloads() -> list[tuple[str, str]]:
    """The shared corpus as (title, payload); empty when ../shared is absent."""
    if not SHARED_XSS.exists():
        return []
    return [(e["title"], e["payload"]) for e in json.loads(SHARED_XSS.read_text())["payloads"]]


def ssrf_urls() -> list[tuple[str, str]]:
    """Every own URL that must be refused, as (class #n, url)."""
    return [
        (f"{name} #{number}", url)
        for name, urls in _own(OWN_SSRF)["classes"].items()
        for number, url in enumerate(urls, 1)
    ]


def ssrf_classes() -> dict[str, list[str]]:
    return dict(_own(OWN_SSRF)["classes"])


def names_resolving_inside() -> dict[str, list[str]]:
    """Host names and the internal addresses their (faked) DNS answers give."""
    return dict(_own(OWN_SSRF)["resolving_inside"])


def public_urls() -> list[str]:
    """URLs the guard must accept (resolving, where a name, to a public address)."""
    return list(_own(OWN_SSRF)["public"])


def shared_ssrf_urls() -> list[str]:
    """The shared URL corpus; empty when ../shared is absent."""
    if not SHARED_SSRF.exists():
        return []
    lines = (line.strip() for line in SHARED_SSRF.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def params(cases: list[tuple[str, str]]) -> list[Any]:
    """(id, value) cases as pytest params; one skipped param when a shared corpus is absent."""
    return [pytest.param(value, id=case_id[:80]) for case_id, value in cases] or [absent_param()]


def shared_params(values: list[str]) -> list[Any]:
    return [pytest.param(value, id=value[:80]) for value in values] or [absent_param()]


PUBLIC_ADDRESS = "93.184.215.14"


def fake_getaddrinfo(answers: dict[str, list[str]]) -> Callable[..., list[Any]]:
    """socket.getaddrinfo answering `answers` for their names and a public address otherwise."""

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in answers.get(host, [PUBLIC_ADDRESS])
        ]

    return getaddrinfo
