"""Web pages: lists with tabs and pagination, the new-challenge form with suggestions, the
challenge page with votes, answers, acceptance and comments, leaderboard and profiles."""

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nexus.challenges import services
from nexus.challenges.models import Challenge, ChallengeStatus, Comment, Solution
from tests.challenges.conftest import post_challenge, post_solution
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_for():
    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def test_list_has_an_empty_state_and_a_nav_link(browser_for):
    page = browser_for().get("/challenges/").content.decode()
    assert 'data-testid="empty"' in page
    assert 'data-testid="nav-challenges"' in page


def test_list_tabs_show_unanswered_and_solved(browser_for, owner, other_user):
    unanswered = post_challenge(owner, title="Nobody answered this one")
    solved = post_challenge(owner, title="This one got solved nicely")
    services.solution_accept(
        challenge=solved, solution=post_solution(solved, other_user), actor=owner
    )
    client = browser_for()
    assert unanswered.title in client.get("/challenges/?tab=unanswered").content.decode()
    assert solved.title not in client.get("/challenges/?tab=unanswered").content.decode()
    solved_tab = client.get("/challenges/?tab=solved").content.decode()
    assert solved.title in solved_tab
    assert unanswered.title not in solved_tab


def test_list_bad_filter_is_400(browser_for, db):
    assert browser_for().get("/challenges/?technology=cobol-85").status_code == 400


@pytest.mark.parametrize("count", [3, 30])
def test_list_page_queries_do_not_grow_with_rows(browser_for, python_tech, count):
    authors = UserFactory.create_batch(3)
    for n in range(count):
        post_challenge(authors[n % 3], title=f"Listed problem {n}", technologies=["python"])
    client = browser_for()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/challenges/")
    assert response.status_code == 200
    assert len(queries) <= 5  # challenges, technologies, tags, technology filter list (+ session)


def test_load_more_fetches_the_next_page_as_an_htmx_partial(browser_for, owner):
    for n in range(25):
        post_challenge(owner, title=f"Paged web problem {n:02d}")
    client = browser_for()
    first = client.get("/challenges/?tab=newest").content.decode()
    next_url = html.unescape(re.search(r'hx-get="([^"]+)"', first.split("more-challenges")[1])[1])
    second = client.get(next_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in second
    assert "Paged web problem 24" in first
    assert "Paged web problem 04" in second
    assert "Paged web problem 05" not in second
    assert "Load more" not in second


def test_new_challenge_form_requires_login(browser_for, db):
    response = browser_for().get("/challenges/new/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_posting_a_challenge_from_the_form(browser_for, owner, python_tech):
    response = browser_for(owner).post(
        "/challenges/new/",
        {
            "title": "Form posted challenge",
            "body": "Details",
            "technologies": ["python"],
            "tags": "a, b",
        },
    )
    challenge = Challenge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/challenges/{challenge.pk}/"
    assert [t.name for t in challenge.tags.order_by("name")] == ["a", "b"]


def test_form_errors_show_next_to_the_fields(browser_for, owner):
    page = (
        browser_for(owner).post("/challenges/new/", {"title": "short", "body": ""}).content.decode()
    )
    assert 'data-field="title"' in page
    assert 'data-field="body"' in page
    assert not Challenge.objects.exists()


def test_the_title_field_asks_for_suggestions_as_you_type(browser_for, owner):
    page = browser_for(owner).get("/challenges/new/").content.decode()
    assert 'hx-get="/challenges/similar/"' in page
    assert 'hx-trigger="input changed delay:300ms"' in page


def test_suggestions_partial_lists_solved_first(browser_for, owner, other_user):
    post_challenge(owner, title="Checker fails for my Flask project")
    solved = post_challenge(owner, title="Checker fails for my Django project")
    services.solution_accept(
        challenge=solved, solution=post_solution(solved, other_user), actor=owner
    )
    page = browser_for().get("/challenges/similar/?title=checker fails project").content.decode()
    assert page.index("Django project") < page.index("Flask project")
    assert "<html" not in page


def test_challenge_page_shows_solutions_with_the_accepted_first(
    browser_for, challenge, owner, mentor, other_user
):
    first = post_solution(challenge, other_user, body="First answer")
    accepted = post_solution(challenge, mentor, body="Accepted answer")
    services.solution_accept(challenge=challenge, solution=accepted, actor=owner)
    page = browser_for(owner).get(f"/challenges/{challenge.pk}/").content.decode()
    assert page.index("Accepted answer") < page.index("First answer")
    assert 'data-testid="accepted"' in page
    assert first.pk


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_challenge_page_queries_do_not_grow_with_solutions_and_comments(browser_for, owner):
    counts = []
    for size, title in ((1, "Gunicorn timeout under load"), (10, "Celery beat skips schedules")):
        challenge = post_challenge(owner, title=title)
        for n in range(size):
            solution = post_solution(challenge, UserFactory(), body=f"answer {n}")
            top = services.comment_create(
                challenge=challenge, solution=solution, author=owner, body="a"
            )
            services.comment_create(
                challenge=challenge, solution=solution, author=owner, body="b", parent=top
            )
            services.solution_vote(solution=solution, user=owner, value=1)
        counts.append(_page_queries(browser_for(owner), f"/challenges/{challenge.pk}/"))
    assert counts[0] == counts[1] <= 14


def test_missing_challenge_is_404(browser_for, db):
    assert browser_for().get("/challenges/999999/").status_code == 404


def test_voting_from_the_page_returns_the_widget(browser_for, challenge, other_user):
    response = browser_for(other_user).post(
        f"/challenges/{challenge.pk}/vote/", {"value": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'data-testid="score">1<' in response.content.decode()


def test_voting_on_your_own_challenge_is_403(browser_for, challenge, owner):
    response = browser_for(owner).post(f"/challenges/{challenge.pk}/vote/", {"value": "1"})
    assert response.status_code == 403
    assert Challenge.objects.get(pk=challenge.pk).score == 0


def test_answer_accept_and_unaccept_from_the_page(browser_for, challenge, owner, other_user):
    response = browser_for(other_user).post(
        f"/challenges/{challenge.pk}/solutions/", {"body": "Fix"}
    )
    solution = Solution.objects.get()
    assert response.status_code == 302
    assert (
        browser_for(other_user).post(f"/challenges/solutions/{solution.pk}/accept/").status_code
        == 403
    )
    browser_for(owner).post(f"/challenges/solutions/{solution.pk}/accept/")
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.SOLVED
    browser_for(owner).post(f"/challenges/solutions/{solution.pk}/accept/", {"undo": "1"})
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.OPEN


def test_accepting_on_a_duplicate_says_why_instead_of_failing(
    browser_for, challenge, solution, owner, mentor
):
    original = post_challenge(owner, title="The original question")
    services.challenge_apply_changes(
        challenge=challenge, actor=mentor, status="duplicate", duplicate_of=original.pk
    )
    response = browser_for(owner).post(f"/challenges/solutions/{solution.pk}/accept/", follow=True)
    assert response.status_code == 200
    assert "accept on the original one" in response.content.decode()
    assert Challenge.objects.get(pk=challenge.pk).accepted_solution_id is None


def test_an_empty_answer_shows_the_field_error(browser_for, challenge, other_user):
    response = browser_for(other_user).post(f"/challenges/{challenge.pk}/solutions/", {"body": " "})
    assert response.status_code == 400
    assert 'data-field="body"' in response.content.decode()


def test_comments_and_replies_from_the_page(browser_for, challenge, other_user, owner):
    browser_for(other_user).post(f"/challenges/{challenge.pk}/comments/", {"body": "Which OS?"})
    top = Comment.objects.get()
    browser_for(owner).post(
        f"/challenges/{challenge.pk}/comments/", {"body": "Linux", "parent": top.pk}
    )
    page = browser_for().get(f"/challenges/{challenge.pk}/").content.decode()
    assert "Which OS?" in page
    assert "Linux" in page
    assert Comment.objects.get(body="Linux").parent_id == top.pk


def test_mentor_marks_a_duplicate_from_the_page(browser_for, challenge, mentor, owner):
    original = post_challenge(owner, title="The original question")
    browser_for(mentor).post(
        f"/challenges/{challenge.pk}/status/", {"status": "duplicate", "duplicate_of": original.pk}
    )
    page = browser_for().get(f"/challenges/{challenge.pk}/").content.decode()
    assert 'data-testid="duplicate-notice"' in page
    assert (
        browser_for(owner)
        .post(
            f"/challenges/{original.pk}/status/",
            {"status": "duplicate", "duplicate_of": challenge.pk},
        )
        .status_code
        == 403
    )


def test_leaderboard_and_profile_show_reputation(browser_for, challenge, solution, owner):
    services.solution_accept(challenge=challenge, solution=solution, actor=owner)
    board = browser_for().get("/challenges/leaderboard/").content.decode()
    assert "Oscar Other" in board
    assert ">15<" in board
    profile = browser_for().get(f"/challenges/users/{solution.author_id}/").content.decode()
    assert 'data-testid="reputation">15<' in profile
    assert browser_for().get("/challenges/leaderboard/?month=2026-99").status_code == 400
    assert browser_for().get("/challenges/leaderboard/?technology=cobol-85").status_code == 404


def _visible_text(page):
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_vote_counts_are_pluralised(browser_for, challenge, solution, owner, other_user):
    services.challenge_vote(challenge=challenge, user=other_user, value=1)
    services.solution_vote(solution=solution, user=owner, value=1)
    detail = _visible_text(browser_for().get(f"/challenges/{challenge.pk}/").content.decode())
    assert "1 vote" in detail
    assert "1 votes" not in detail
    for author in (owner, other_user):
        profile = browser_for().get(f"/challenges/users/{author.pk}/").content.decode()
        assert "1 vote<" in profile
        assert "1 votes" not in profile


def _moderation_buttons(page):
    return re.findall(r'<button name="status" value="(\w+)"', page)


def test_a_solved_challenge_offers_no_close(browser_for, challenge, solution, owner):
    assert _moderation_buttons(
        browser_for(owner).get(f"/challenges/{challenge.pk}/").content.decode()
    ) == ["closed"]
    services.solution_accept(challenge=challenge, solution=solution, actor=owner)
    page = browser_for(owner).get(f"/challenges/{challenge.pk}/").content.decode()
    assert _moderation_buttons(page) == []
    assert 'class="moderation"' not in page


def test_a_closed_challenge_offers_reopen_and_a_duplicate_only_to_mentors(
    browser_for, challenge, owner, mentor
):
    services.challenge_set_status(challenge=challenge, actor=owner, status="closed")
    assert _moderation_buttons(
        browser_for(owner).get(f"/challenges/{challenge.pk}/").content.decode()
    ) == ["open"]
    original = post_challenge(mentor, title="The original question about the checker")
    services.challenge_set_status(
        challenge=challenge, actor=mentor, status="duplicate", duplicate_of=original
    )
    assert (
        _moderation_buttons(browser_for(owner).get(f"/challenges/{challenge.pk}/").content.decode())
        == []
    )
    assert _moderation_buttons(
        browser_for(mentor).get(f"/challenges/{challenge.pk}/").content.decode()
    ) == ["open"]


def test_solutions_are_syntax_highlighted_like_articles(browser_for, challenge, other_user):
    post_solution(
        challenge, other_user, body="Pin it:\n\n```python\nimport sys\nprint(sys.version)\n```\n"
    )
    page = browser_for().get(f"/challenges/{challenge.pk}/").content.decode()
    solution_html = page[page.index('data-testid="solution"') :]
    assert 'class="highlight"' in solution_html
    assert '<span class="kn">import</span>' in solution_html
    assert 'href="/knowledge/highlight.css"' in page
