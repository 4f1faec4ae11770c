"""Challenges in a real browser: post a challenge and see a similar solved one suggested while
typing, answer it as another user, vote, and accept the answer."""

import re

import pytest
from playwright.sync_api import expect

from nexus.challenges import services
from nexus.challenges.models import Challenge, ChallengeStatus
from tests.e2e.login import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_post_see_similar_solved_answer_vote_and_accept(new_page, screenshot):
    asker = UserFactory(email="asker@example.com", display_name="Asha Asker")
    helper = UserFactory(email="helper@example.com", display_name="Hugo Helper")
    veteran = UserFactory(display_name="Vera Veteran")
    solved = services.challenge_create(
        author=veteran,
        title="Checker validation fails but the project runs locally",
        body="Works on my laptop, the checker says it fails.",
    )
    fix = services.solution_create(
        challenge=solved, author=helper, body="The checker runs Python 3.8: pin it."
    )
    services.solution_accept(challenge=solved, solution=fix, actor=veteran)

    # The asker starts typing a title: the solved look-alike is suggested before posting.
    page = new_page()
    log_in(page, asker.email, next_path="/challenges/new/")
    with page.expect_response(re.compile(r"/challenges/similar/\?")) as suggested:
        page.get_by_label("Title").press_sequentially("Project fails checker validation")
    assert suggested.value.request.headers.get("hx-request") == "true"
    suggestion = page.get_by_test_id("similar-item").first
    expect(suggestion).to_contain_text(solved.title)
    expect(suggestion).to_contain_text("Solved")
    screenshot("new-challenge-with-suggestion")

    page.get_by_label("Problem statement").fill(
        "The checker rejects my Django project:\n\n```\nFAILED: exit status 1\n```"
    )
    page.get_by_role("button", name="Post challenge").click()
    expect(page.get_by_test_id("challenge-title")).to_have_text("Project fails checker validation")
    expect(page.get_by_test_id("challenge-status")).to_have_text("Open")
    expect(page.locator(".markdown pre")).to_contain_text("FAILED: exit status 1")
    challenge = Challenge.objects.get(title="Project fails checker validation")
    challenge_path = f"/challenges/{challenge.pk}/"
    screenshot("challenge-posted")

    # Another user answers and votes the challenge up (an htmx swap, no page load).
    other = new_page()
    log_in(other, helper.email, next_path=challenge_path)
    other.get_by_label("Your solution").fill("Match the checker's **Python version** locally.")
    other.get_by_role("button", name="Post solution").click()
    expect(other.get_by_test_id("solution")).to_have_count(1)
    expect(other.get_by_test_id("solution").locator(".markdown strong")).to_have_text(
        "Python version"
    )
    challenge_vote = other.get_by_test_id(f"vote-challenge-{challenge.pk}")
    challenge_vote.get_by_role("button", name="Upvote").click()
    expect(challenge_vote.get_by_test_id("score")).to_have_text("1")
    expect(other).to_have_url(re.compile(re.escape(challenge_path)))
    screenshot("answered-and-voted", other)

    # The asker upvotes the answer and accepts it: the challenge is solved.
    page.goto(challenge_path)
    answer = page.get_by_test_id("solution")
    answer.get_by_role("button", name="Upvote").click()
    expect(answer.get_by_test_id("score")).to_have_text("1")
    answer.get_by_test_id("accept").click()
    expect(page.get_by_test_id("challenge-status")).to_have_text("Solved")
    expect(page.get_by_test_id("accepted")).to_be_visible()
    screenshot("accepted", page)

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.SOLVED
    assert challenge.score == 1
    assert challenge.accepted_solution is not None
    assert challenge.accepted_solution.score == 1
    # Hugo: +15 and +10 on Vera's challenge, +10 (upvote) +15 (accepted) here; Asha: +5.
    page.goto(f"/challenges/users/{helper.pk}/")
    expect(page.get_by_test_id("reputation")).to_have_text("40")


def test_challenge_pages_fit_a_phone_in_dark_mode(new_page, screenshot):
    author = UserFactory(display_name="Pat Phone")
    challenge = services.challenge_create(
        author=author,
        title="A very long title about a checker that keeps failing on every single push",
        body="```\n" + "x" * 300 + "\n```",
    )
    page = new_page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, color_scheme="dark"
    )
    for path in ("/challenges/", challenge.get_absolute_url(), "/challenges/leaderboard/"):
        page.goto(path)
        screenshot(f"phone-{path.strip('/').replace('/', '-')}")
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{path} overflows sideways: {widths}"
