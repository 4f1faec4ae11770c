"""Server time of each page the navigation leads to, on the demo data (load_demo), through Django's
test client: 20 requests each after a warm-up, the p95 printed with tests.figures (the issue's
budget is 300 ms at p95; printed, not asserted, as timings depend on the machine)."""

import io
import re
import statistics
import time

import pytest
from django.core.management import call_command
from django.test import Client

from nexus.accounts.models import User
from nexus.challenges.models import Challenge
from nexus.collab.models import Api
from nexus.importer.showcase import ANSWERED, API_NAME, PATH_TITLE
from nexus.knowledge.models import LearningPath
from tests import figures
from tests.knowledge.factories import ensure_taxonomy

pytestmark = pytest.mark.django_db

REQUESTS = 20
BUDGET_MS = 300
NAV = re.compile(r'<nav aria-label="Main".*?</nav>', re.S)
HREF = re.compile(r'href="(/[^"#?]*)"')


def nav_pages(client: Client) -> list[str]:
    """The links of the signed-in header (main links and the user menu), in page order."""
    nav = NAV.search(client.get("/").content.decode())
    assert nav, "no main navigation on the home page"
    return list(dict.fromkeys(HREF.findall(nav.group(0))))


def p95_ms(client: Client, url: str) -> float:
    assert client.get(url).status_code == 200, url  # the warm-up, and the page works
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def test_p95_server_time_of_each_navigation_page_on_the_demo_data():
    ensure_taxonomy()
    call_command("load_demo", stdout=io.StringIO())
    client = Client()
    client.force_login(User.objects.get(email="lena@demo.nexus.local"))
    pages = nav_pages(client)
    assert {"/articles/", "/challenges/", "/journal/"} <= set(pages)
    # One click further: the demo's path, API, answered challenge, milestones and a search.
    pages += [
        f"/paths/{LearningPath.objects.get(title=PATH_TITLE).slug}/",
        f"/apis/{Api.objects.get(name=API_NAME).slug}/",
        Challenge.objects.get(title=ANSWERED["title"]).get_absolute_url(),
        "/journal/milestones/",
        "/search/?q=cache",
    ]
    measured = {url: p95_ms(client, url) for url in pages}
    width = max(map(len, measured))
    lines = [f"{url:<{width}}  {ms:7.1f} ms" for url, ms in measured.items()]
    over = [url for url, ms in measured.items() if ms > BUDGET_MS]
    figures.report(
        f"p95 server time on the demo data ({REQUESTS} requests a page after a warm-up, "
        f"Django test client, budget {BUDGET_MS} ms):\n"
        + "\n".join(lines)
        + f"\n{len(measured) - len(over)} of {len(measured)} pages within {BUDGET_MS} ms"
        + (f"; over: {', '.join(over)}" if over else "")
    )
