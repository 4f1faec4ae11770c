"""REST: /api/v1/challenges/ and /api/v1/solutions/ — happy paths, permissions, bad input,
query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.challenges import services
from nexus.challenges.models import Challenge, ChallengeStatus, Solution
from nexus.core.models import OutboxEvent
from tests.challenges.conftest import post_challenge, post_solution
from tests.conditional import if_match
from tests.factories import UserFactory

CHALLENGES = "/api/v1/challenges/"


def field_names(response):
    return {error["field"] for error in response.json().get("errors", [])}


# --- Create ---------------------------------------------------------------------------------
def test_posting_a_challenge_returns_the_resource(client_for, owner, python_tech):
    response = client_for(owner).post(
        CHALLENGES,
        {
            "title": "Checker compliance issues",
            "body": "Runs locally, fails the checker:\n\n```\nexit status 1\n```",
            "technologies": ["python"],
            "tags": ["Checker", "ci"],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {
        "id",
        "title",
        "body",
        "body_html",
        "technologies",
        "tags",
        "status",
        "score",
        "accepted_solution",
    }
    assert body["technologies"] == ["python"]
    assert sorted(body["tags"]) == ["checker", "ci"]
    assert (body["status"], body["score"], body["accepted_solution"]) == ("open", 0, None)
    assert "<pre>" in body["body_html"]
    event = OutboxEvent.objects.get(name="challenge.created")
    assert event.payload["author_id"] == owner.pk
    assert event.payload["url"] == f"/challenges/{body['id']}/"


def test_anonymous_users_cannot_post(api_client, db):
    response = api_client.post(CHALLENGES, {"title": "Anonymous problem here", "body": "x"})
    assert response.status_code in (401, 403)
    assert not Challenge.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "short", "body": "body"}, "title"),
        ({"title": "A long enough title", "body": "   "}, "body"),
        (
            {"title": "A long enough title", "body": "b", "technologies": ["cobol-85"]},
            "technologies",
        ),
        ({"title": "A long enough title", "body": "b", "tags": ["!!!"]}, "tags"),
        ({"title": "A long enough title", "body": "b", "colour": "red"}, "colour"),
    ],
)
def test_bad_challenge_input_is_a_400_with_field_errors(client_for, owner, payload, field):
    response = client_for(owner).post(CHALLENGES, payload)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in field_names(response)
    assert not Challenge.objects.exists()


def test_oversize_bodies_are_refused(client_for, owner):
    response = client_for(owner).post(
        CHALLENGES, {"title": "A huge stack trace", "body": "é" * (300 * 1024)}
    )
    assert response.status_code in (400, 413)
    assert not Challenge.objects.exists()


def test_unsafe_markdown_is_sanitised(client_for, owner):
    body = "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    response = client_for(owner).post(CHALLENGES, {"title": "Sanitise my body", "body": body})
    html = response.json()["body_html"]
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "onerror" not in html


# --- Update: permission matrix ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("other_user", 403), ("owner", 200), ("mentor", 200), ("admin_user", 200)],
)
def test_editing_a_challenge_permission_matrix(
    request, api_client, client_for, challenge, who, status
):
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = client.patch(
        f"{CHALLENGES}{challenge.pk}/",
        {"title": "A clearer title here"},
        headers=if_match(challenge),
    )
    assert response.status_code in ((401, 403) if status == 401 else (status,))
    challenge.refresh_from_db()
    assert (challenge.title == "A clearer title here") == (status == 200)


def test_patching_accepted_solution_of_another_challenge_is_a_400(
    client_for, challenge, owner, other_user
):
    foreign = post_solution(post_challenge(other_user, title="Someone else's problem"), owner)
    response = client_for(owner).patch(
        f"{CHALLENGES}{challenge.pk}/",
        {"accepted_solution": foreign.pk, "title": "Renamed title here"},
        headers=if_match(challenge),
    )
    assert response.status_code == 400
    assert "accepted_solution" in field_names(response)
    challenge.refresh_from_db()
    assert challenge.accepted_solution_id is None
    assert challenge.title != "Renamed title here", "nothing half-written"


def test_a_solved_challenge_is_not_closed_through_patch(client_for, challenge, owner, mentor):
    solution = post_solution(challenge, mentor)
    services.solution_accept(challenge=challenge, solution=solution, actor=owner)
    challenge.refresh_from_db()

    response = client_for(owner).patch(
        f"{CHALLENGES}{challenge.pk}/", {"status": "closed"}, headers=if_match(challenge)
    )

    assert response.status_code == 400
    assert "status" in field_names(response)
    challenge.refresh_from_db()
    assert (challenge.status, challenge.accepted_solution_id) == ("solved", solution.pk)


def test_mentors_mark_duplicates_through_patch(client_for, challenge, mentor, owner):
    original = post_challenge(owner, title="The original question")
    response = client_for(mentor).patch(
        f"{CHALLENGES}{challenge.pk}/",
        {"status": "duplicate", "duplicate_of": original.pk},
        headers=if_match(challenge),
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["duplicate_of"]) == (
        "duplicate",
        original.pk,
    )


def test_duplicate_of_itself_is_a_400_and_learners_get_403(client_for, challenge, mentor, owner):
    own = client_for(mentor).patch(
        f"{CHALLENGES}{challenge.pk}/",
        {"status": "duplicate", "duplicate_of": challenge.pk},
        headers=if_match(challenge),
    )
    assert own.status_code == 400
    assert "duplicate_of" in field_names(own)
    other = post_challenge(owner, title="The original question")
    learner = client_for(owner).patch(
        f"{CHALLENGES}{challenge.pk}/",
        {"status": "duplicate", "duplicate_of": other.pk},
        headers=if_match(challenge),
    )
    assert learner.status_code == 403


# --- Solutions, votes, accept -----------------------------------------------------------------
def test_answering_notifies_the_challenge_author(client_for, challenge, other_user):
    response = client_for(other_user).post(
        f"{CHALLENGES}{challenge.pk}/solutions/", {"body": "Use **the same** Python version."}
    )
    assert response.status_code == 201
    assert "<strong>the same</strong>" in response.json()["body_html"]
    event = OutboxEvent.objects.get(name="challenge.answered")
    assert event.payload["recipient_ids"] == [challenge.author_id]
    assert event.payload["title"] == challenge.title
    assert event.payload["url"].startswith(f"/challenges/{challenge.pk}/#solution-")
    assert Challenge.objects.get(pk=challenge.pk).answer_count == 1


def test_solution_list_is_best_first(api_client, challenge, owner, mentor, other_user):
    low = post_solution(challenge, other_user, body="low")
    high = post_solution(challenge, mentor, body="high")
    services.solution_vote(solution=high, user=owner, value=1)
    response = api_client.get(f"{CHALLENGES}{challenge.pk}/solutions/")
    assert [s["id"] for s in response.json()["results"]] == [high.pk, low.pk]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("owner", 403), ("other_user", 200), ("mentor", 200), ("admin_user", 200)],
)
def test_voting_on_a_challenge_permission_matrix(
    request, api_client, client_for, challenge, who, status
):
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = client.post(f"{CHALLENGES}{challenge.pk}/vote/", {"value": 1})
    assert response.status_code in ((401, 403) if status == 401 else (status,))
    if status == 200:
        assert response.json() == {"id": challenge.pk, "score": 1, "value": 1}


def test_voting_twice_through_the_api_is_idempotent(client_for, solution, owner):
    client = client_for(owner)
    client.post(f"/api/v1/solutions/{solution.pk}/vote/", {"value": 1})
    response = client.post(f"/api/v1/solutions/{solution.pk}/vote/", {"value": 1})
    assert response.json()["score"] == 1


@pytest.mark.parametrize("payload", [{"value": 5}, {"value": "up"}, {}, {"value": 1, "x": 1}])
def test_bad_votes_are_400(client_for, solution, owner, payload):
    response = client_for(owner).post(f"/api/v1/solutions/{solution.pk}/vote/", payload)
    assert response.status_code == 400
    assert Solution.objects.get(pk=solution.pk).score == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("other_user", 403), ("owner", 200), ("mentor", 200), ("admin_user", 200)],
)
def test_accepting_permission_matrix(request, api_client, client_for, solution, who, status):
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = client.post(f"/api/v1/solutions/{solution.pk}/accept/")
    assert response.status_code in ((401, 403) if status == 401 else (status,))
    challenge = Challenge.objects.get(pk=solution.challenge_id)
    assert (challenge.accepted_solution_id == solution.pk) == (status == 200)
    if status == 200:
        assert response.json()["status"] == ChallengeStatus.SOLVED


def test_unaccepting_through_delete(client_for, solution, owner):
    client = client_for(owner)
    client.post(f"/api/v1/solutions/{solution.pk}/accept/")
    response = client.delete(f"/api/v1/solutions/{solution.pk}/accept/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["accepted_solution"]) == ("open", None)


# --- Comments -------------------------------------------------------------------------------
def test_comments_and_one_level_of_replies(client_for, challenge, solution, owner, other_user):
    client = client_for(other_user)
    first = client.post(f"{CHALLENGES}{challenge.pk}/comments/", {"body": "Which Python?"})
    assert first.status_code == 201
    reply = client_for(owner).post(
        f"{CHALLENGES}{challenge.pk}/comments/", {"body": "3.12", "parent": first.json()["id"]}
    )
    assert reply.status_code == 201
    too_deep = client.post(
        f"{CHALLENGES}{challenge.pk}/comments/", {"body": "deeper", "parent": reply.json()["id"]}
    )
    assert too_deep.status_code == 400
    assert "parent" in field_names(too_deep)
    on_solution = client_for(owner).post(
        f"/api/v1/solutions/{solution.pk}/comments/", {"body": "Thanks!"}
    )
    assert on_solution.status_code == 201
    listed = client.get(f"{CHALLENGES}{challenge.pk}/comments/").json()["results"]
    assert [c["body"] for c in listed] == ["Which Python?", "3.12"]


def test_replying_across_threads_is_refused(client_for, challenge, solution, owner):
    top = client_for(owner).post(f"{CHALLENGES}{challenge.pk}/comments/", {"body": "top"}).json()
    response = client_for(owner).post(
        f"/api/v1/solutions/{solution.pk}/comments/", {"body": "x", "parent": top["id"]}
    )
    assert response.status_code == 400


# --- Lists ----------------------------------------------------------------------------------
def test_filters_and_sorts(api_client, client_for, python_tech, owner, other_user, mentor):
    tagged = post_challenge(
        owner, title="Tagged python trouble", technologies=["python"], tags=["ci"]
    )
    answered = post_challenge(owner, title="Answered problem here")
    solved = post_solution(answered, other_user)
    services.solution_accept(challenge=answered, solution=solved, actor=owner)
    services.challenge_vote(challenge=answered, user=mentor, value=1)

    def ids(query):
        response = api_client.get(f"{CHALLENGES}?{query}")
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["results"]]

    assert ids("technology=python") == [tagged.pk]
    assert ids("tag=ci") == [tagged.pk]
    assert ids("unanswered=true") == [tagged.pk]
    assert ids("status=solved") == [answered.pk]
    assert ids("sort=votes")[0] == answered.pk
    assert ids("sort=solved") == [answered.pk]
    assert ids(f"author={owner.pk}") == [answered.pk, tagged.pk]
    mine = client_for(other_user).get("/api/v1/solutions/?mine=true").json()["results"]
    assert [s["id"] for s in mine] == [solved.pk]


@pytest.mark.parametrize(
    "query",
    ["status=pending", "technology=cobol-85", "sort=random", "unanswered=perhaps", "tag=nope"],
)
def test_unknown_filter_values_are_400(api_client, challenge, query):
    assert api_client.get(f"{CHALLENGES}?{query}").status_code == 400


def test_listing_challenges_takes_the_same_few_queries_at_every_page_size(api_client, python_tech):
    authors = UserFactory.create_batch(3)
    for n in range(100):
        post_challenge(
            authors[n % 3],
            title=f"Problem number {n} again",
            technologies=["python"],
            tags=[f"t{n % 4}", "ci"],
        )
    counts = []
    for page_size in (10, 50, 100):
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(f"{CHALLENGES}?page_size={page_size}")
        assert len(response.json()["results"]) == page_size
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2] <= 6, counts


def test_the_list_carries_an_excerpt_and_the_detail_the_body(api_client, owner):
    body = "## Symptom\n\nThe checker says **exit 1**.\n\n```\nTraceback\n```\n\n" + " ".join(
        ["word"] * 80
    )
    challenge = post_challenge(owner, body=body)

    listed = api_client.get(CHALLENGES).json()["results"][0]
    detail = api_client.get(f"{CHALLENGES}{challenge.pk}/").json()

    assert "body" not in listed
    assert "body_html" not in listed
    assert listed["excerpt"].startswith("Symptom The checker says exit 1. Traceback word word")
    assert listed["excerpt"].endswith("word…")
    assert len(listed["excerpt"]) <= 240
    assert listed["url"] == f"/challenges/{challenge.pk}/"
    assert (detail["body"], detail["excerpt"]) == (body, listed["excerpt"])
    assert "<strong>exit 1</strong>" in detail["body_html"]
    assert {k: v for k, v in detail.items() if k not in ("body", "body_html")} == listed


def test_an_edited_body_gets_a_new_excerpt(owner):
    challenge = post_challenge(owner, body="Short <script>alert(1)</script> body")
    assert challenge.excerpt == "Short body"
    services.challenge_update(challenge=challenge, actor=owner, body="Another *body* now")
    challenge.refresh_from_db()
    assert challenge.excerpt == "Another body now"


@pytest.mark.parametrize("page_size", [1, 30])
def test_listing_solutions_takes_constant_queries(api_client, challenge, page_size):
    for n in range(30):
        post_solution(challenge, UserFactory(), body=f"answer {n}")
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(f"{CHALLENGES}{challenge.pk}/solutions/?page_size={page_size}")
    assert len(response.json()["results"]) == page_size
    assert len(queries) <= 2


def test_pages_follow_the_cursor(api_client, owner):
    for n in range(5):
        post_challenge(owner, title=f"Paged problem number {n}")
    first = api_client.get(f"{CHALLENGES}?page_size=2&sort=votes").json()
    second = api_client.get(first["next"]).json()
    assert {c["id"] for c in first["results"]}.isdisjoint({c["id"] for c in second["results"]})
    assert len(second["results"]) == 2


# --- Similar & leaderboard ------------------------------------------------------------------
def test_similar_puts_solved_challenges_first(api_client, owner, other_user):
    open_one = post_challenge(owner, title="Checker validation fails for my Django project")
    solved = post_challenge(owner, title="Django project fails checker validation")
    services.solution_accept(
        challenge=solved, solution=post_solution(solved, other_user), actor=owner
    )
    post_challenge(owner, title="Docker compose volume permissions")

    response = api_client.get(f"{CHALLENGES}similar/?q=checker validation django")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [solved.pk, open_one.pk]
    assert results[0]["status"] == "solved"
    assert results[0]["url"] == f"/challenges/{solved.pk}/"


@pytest.mark.parametrize("query", ["q=x&limit=0", "q=x&limit=abc", "q=" + "x" * 301])
def test_similar_bad_input_is_400(api_client, query):
    assert api_client.get(f"{CHALLENGES}similar/?{query}").status_code == 400


def test_similar_with_no_words_finds_nothing(api_client, challenge):
    assert api_client.get(f"{CHALLENGES}similar/?q=the a of").json() == {"results": []}


def test_leaderboard_endpoint(api_client, python_tech, challenge, solution, owner):
    services.solution_accept(challenge=challenge, solution=solution, actor=owner)
    response = api_client.get(f"{CHALLENGES}leaderboard/")
    assert response.json()["results"] == [
        {"rank": 1, "user": {"id": solution.author_id, "display_name": "Oscar Other"}, "points": 15}
    ]
    month = solution.created_at.strftime("%Y-%m")
    assert len(api_client.get(f"{CHALLENGES}leaderboard/?month={month}").json()["results"]) == 1
    assert api_client.get(f"{CHALLENGES}leaderboard/?month=1999-01").json()["results"] == []
    assert api_client.get(f"{CHALLENGES}leaderboard/?technology=python").json()["results"] == []
    assert api_client.get(f"{CHALLENGES}leaderboard/?month=2026-13").status_code == 400
    assert api_client.get(f"{CHALLENGES}leaderboard/?technology=cobol-85").status_code == 400


def test_a_patch_of_a_solution_without_a_body_changes_nothing(client_for, owner, challenge):
    # The schema documents PATCH fields as optional; the view required the body: a 400.
    solution = post_solution(challenge, owner)
    response = client_for(owner).patch(
        f"/api/v1/solutions/{solution.pk}/", {}, format="json", headers=if_match(solution)
    )
    assert response.status_code == 200
    assert response.json()["body"] == "Pin the Python version the checker uses."
