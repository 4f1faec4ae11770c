"""Accounts in a real browser: sign up, confirm by e-mail, log out, log in, create an API token,
log out everywhere; the phone shell."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from nexus.accounts.models import ApiToken, User
from tests.e2e.login import log_in

pytestmark = pytest.mark.e2e

PROFILE_URL = re.compile(r"/accounts/profile/$")
STRONG_PASSWORD = "correct-Horse-battery-41"


def sign_up(page: Page, *, email: str, display_name: str, password: str) -> None:
    page.goto("/accounts/signup/")
    main = page.get_by_role("main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Display name").fill(display_name)
    main.get_by_label("Track").select_option(label="Full-stack")
    main.get_by_label("Password").fill(password)
    main.get_by_role("button", name="Sign up").click()


def confirm_sign_up(page: Page, *, password: str) -> None:
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    [message] = mail.outbox
    path = re.search(r"https?://[^/]+(/accounts/signup/confirm/\S+/)", message.body).group(1)
    page.goto(path)
    main = page.get_by_role("main")
    main.get_by_label("Password").fill(password)
    main.get_by_role("button", name="Confirm").click()


def log_out(page: Page) -> None:
    page.get_by_test_id("user-menu").click()  # Log out sits in the user menu
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/$"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)


def test_signup_logout_login_and_create_api_token(page: Page, screenshot):
    page.goto("/")
    screenshot("home")

    sign_up(page, email="ada@example.com", display_name="Ada Lovelace", password=STRONG_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/signup/sent/$"))
    screenshot("signup-check-your-email")
    confirm_sign_up(page, password=STRONG_PASSWORD)
    expect(page).to_have_url(PROFILE_URL)
    expect(page.get_by_test_id("profile-name")).to_have_text("Ada Lovelace")
    expect(page.get_by_role("status").first).to_contain_text("Welcome to Nexus, Ada Lovelace!")
    expect(page.get_by_test_id("nav-profile")).to_have_text("Ada Lovelace")
    user = User.objects.get(email="ada@example.com")
    assert user.display_name == "Ada Lovelace"
    assert user.track == "fullstack"
    screenshot("profile-after-signup")

    log_out(page)
    screenshot("home-after-logout")

    log_in(page, email="ada@example.com", password=STRONG_PASSWORD, screenshot=screenshot)
    page.goto("/accounts/profile/")
    expect(page.get_by_test_id("profile-name")).to_have_text("Ada Lovelace")

    tokens = page.locator("#api-tokens")
    expect(tokens).to_contain_text("You have no API tokens yet.")
    tokens.get_by_label("Name").fill("laptop scripts")
    with page.expect_response(re.compile(r"/accounts/profile/tokens/$")) as created:
        tokens.get_by_role("button", name="Create token").click()
    assert created.value.ok
    assert created.value.request.headers.get("hx-request") == "true", "not an htmx request"
    new_token = page.get_by_test_id("new-token")
    expect(new_token).to_have_text(re.compile(r"^nxs_\S{20,}$"))
    expect(page).to_have_url(PROFILE_URL)  # swapped in place, no page load
    expect(page.get_by_test_id("profile-name")).to_have_text("Ada Lovelace")
    expect(tokens.get_by_role("row", name=re.compile("laptop scripts"))).to_be_visible()
    expect(tokens.get_by_label("Name")).to_have_value("")
    key = new_token.inner_text().strip()
    assert ApiToken.objects.filter(user=user, name="laptop scripts").count() == 1
    screenshot("profile-with-new-token")

    log_out(page)

    # Logged out, so only the new key can authenticate this request.
    me = page.request.get("/api/v1/me/", headers={"Authorization": f"Token {key}"})
    assert me.status == 200, me.text()
    assert me.json()["display_name"] == "Ada Lovelace"
    anonymous = page.request.get("/api/v1/me/")
    assert anonymous.status in {401, 403}


def test_log_out_everywhere_ends_the_other_browsers_session(page: Page, new_page, screenshot):
    User.objects.create_user("grace@example.com", STRONG_PASSWORD, display_name="Grace Hopper")
    other = new_page()
    log_in(other, email="grace@example.com", password=STRONG_PASSWORD)
    log_in(page, email="grace@example.com", password=STRONG_PASSWORD)
    page.goto("/accounts/profile/")
    screenshot("profile-with-log-out-everywhere", page)

    page.get_by_test_id("log-out-everywhere").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status").first).to_contain_text("logged out on every device")
    screenshot("logged-out-everywhere", page)

    other.goto("/accounts/profile/")
    expect(other).to_have_url(re.compile(r"/accounts/login/\?next="))


def test_signup_with_weak_password_shows_field_error_and_creates_no_user(page: Page, screenshot):
    sign_up(page, email="weak@example.com", display_name="Weak Link", password="password")

    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    screenshot("signup-weak-password")
    assert not User.objects.filter(email="weak@example.com").exists()
    # What was typed (except the password) is kept.
    expect(page.get_by_label("Email")).to_have_value("weak@example.com")
    expect(page.get_by_label("Display name")).to_have_value("Weak Link")
    expect(page.get_by_label("Password")).to_have_value("")
    # The error sits inside the password field's label, right after its input.
    password_label = page.locator("label", has=page.locator("input[name='password']"))
    password_error = password_label.locator("small.field-error[data-field='password']")
    expect(password_error.first).to_contain_text("too common")
    expect(password_error.first).to_be_visible()


def test_phone_dark_mode_shell_has_no_horizontal_overflow(new_page, screenshot):
    User.objects.create_user("grace@example.com", STRONG_PASSWORD, display_name="Grace Hopper")
    page = new_page(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        color_scheme="dark",
    )

    page.goto("/")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert_phone_shell(page, screenshot, "home")
    page.goto("/accounts/signup/")
    assert_phone_shell(page, screenshot, "signup")

    log_in(page, email="grace@example.com", password=STRONG_PASSWORD)
    page.goto("/accounts/profile/")
    page.locator("#api-tokens").get_by_label("Name").fill("phone")
    page.locator("#api-tokens").get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("new-token")).to_have_text(re.compile(r"^nxs_"))
    assert_phone_shell(page, screenshot, "profile-with-token")


def assert_phone_shell(page: Page, screenshot, step: str) -> None:
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    screenshot(f"phone-dark-{step}")
    background = page.evaluate(
        """() => [document.body, document.documentElement]
                   .map((element) => getComputedStyle(element).backgroundColor)
                   .find((colour) => !/rgba\\(.*, 0\\)$|transparent/.test(colour))"""
    )
    assert background, f"{page.url}: no page background colour"
    assert _luminance(background) < 0.2, f"{page.url}: background {background} is not dark"
    widths = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth,
                   client: document.documentElement.clientWidth,
                   inner: window.innerWidth})"""
    )
    # A mobile browser zooms out to fit overflowing content, which widens innerWidth with it;
    # clientWidth stays the 390px layout width, so check against both.
    assert widths["scroll"] <= widths["inner"], f"{page.url} overflows sideways: {widths}"
    assert widths["scroll"] <= widths["client"], f"{page.url} overflows sideways: {widths}"


def _luminance(css_colour: str) -> float:
    """Relative luminance (0 black .. 1 white) of an `rgb(...)`/`rgba(...)` colour."""
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", css_colour)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue
