"""Logging in through the login form, the one way every browser test does it."""

import re

from playwright.sync_api import Page, expect

from tests.factories import DEFAULT_PASSWORD


def log_in(
    page: Page,
    email: str,
    password: str = DEFAULT_PASSWORD,
    *,
    next_path: str = "/",
    screenshot=None,
) -> None:
    """Log in and wait until the page it lands on (`next_path`) has loaded.

    Waiting for the URL alone is not enough: the URL changes as soon as the new document arrives,
    before its deferred scripts run. A test that types straight away on a busy machine can finish
    typing before htmx has bound its triggers, and the request it waits for is never sent.
    """
    page.goto("/accounts/login/" if next_path == "/" else f"/accounts/login/?next={next_path}")
    main = page.get_by_role("main")
    main.get_by_label("E-mail").fill(email)
    main.get_by_label("Password").fill(password)
    if screenshot is not None:
        screenshot("login")
    main.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+" + re.escape(next_path) + "$"))
    page.wait_for_load_state("load")
