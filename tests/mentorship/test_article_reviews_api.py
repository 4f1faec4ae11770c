"""/api/v1/articles/{slug}/review-requests/: happy path, permission matrix, bad input, counts."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from nexus.knowledge import services as knowledge_services
from nexus.mentorship.models import ArticleReview
from nexus.mentorship.services import articles as reviews
from nexus.notifications.models import Notification
from nexus.notifications.services import email_preferences_update, webhook_create
from nexus.notifications.tasks import send_digests
from tests.factories import UserFactory
from tests.mentorship.article_review_fixtures import (
    a_rubric,
    cohort_with,
    draft_of,
    other_mentor,
)
from tests.notifications.conftest import Receiver

pytestmark = pytest.mark.django_db


def _rounds(slug):
    return f"/api/v1/articles/{slug}/review-requests/"


def _round(slug, pk, rest=""):
    return f"{_rounds(slug)}{pk}/{rest}"


@pytest.fixture
def world(owner, mentor, other_user, admin_user):
    """The author (owner) mentored by `mentor`; a mentor of nobody here; an outsider; an admin."""
    cohort_with(learner=owner, mentors=[mentor])
    return {
        "anonymous": None,
        "other": other_user,
        "author": owner,
        "reviewer": mentor,
        "other_mentor": other_mentor(),
        "admin": admin_user,
    }


def _client(api_client, client_for, user):
    return api_client if user is None else client_for(user)


def test_the_author_requests_a_review_of_their_mentor_and_it_is_approved(client_for, world):
    author, reviewer = world["author"], world["reviewer"]
    article = draft_of(author)

    created = client_for(author).post(_rounds(article.slug), {}, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "open"
    assert [r["id"] for r in body["reviewers"]] == [reviewer.pk]
    assert body["revision_number"] == 2
    decided = client_for(reviewer).post(
        _round(article.slug, body["id"], "decision/"), {"decision": "approved"}, format="json"
    )
    assert decided.status_code == 201, decided.json()
    assert decided.json()["decision"] == "approved"
    shown = client_for(author).get(f"/api/v1/articles/{article.slug}/").json()
    assert shown["status"] == "published"


# Who sees and who does what, on a round the author asked `reviewer` for.
MATRIX = {
    # role: (list/detail/comments status, comment status, decide status, withdraw status)
    "anonymous": (401, 401, 401, 401),
    "other": (404, 404, 404, 404),
    "author": (200, 201, 403, 200),
    "reviewer": (200, 201, 201, 403),
    "other_mentor": (200, 201, 201, 200),
    "admin": (200, 201, 201, 200),
}


@pytest.mark.parametrize("role", MATRIX)
def test_the_permission_matrix(api_client, client_for, world, role):
    author = world["author"]
    article = draft_of(author)
    round_ = reviews.review_request(actor=author, article=article)
    client = _client(api_client, client_for, world[role])
    see, comment, decide, withdraw = MATRIX[role]

    listed = client.get(_rounds(article.slug))
    detail = client.get(_round(article.slug, round_.pk))
    comments = client.get(_round(article.slug, round_.pk, "comments/"))
    assert (listed.status_code, detail.status_code, comments.status_code) == (see, see, see)
    if see == 200:
        assert [r["id"] for r in listed.json()["results"]] == [round_.pk]
    added = client.post(
        _round(article.slug, round_.pk, "comments/"),
        {"revision": 2, "line": 1, "body": "Nice title"},
        format="json",
    )
    assert added.status_code == comment
    assert added["Content-Type"] == (
        "application/json" if comment < 400 else "application/problem+json"
    )
    decided = client.post(
        _round(article.slug, round_.pk, "decision/"),
        {"decision": "changes_requested", "comment": "More examples."},
        format="json",
    )
    assert decided.status_code == decide
    if decide != 201:
        withdrawn = client.post(_round(article.slug, round_.pk, "withdraw/"))
        assert withdrawn.status_code == withdraw


@pytest.mark.parametrize("role", ["anonymous", "other", "reviewer", "admin"])
def test_only_the_author_may_request_a_review(api_client, client_for, world, role):
    article = draft_of(world["author"])
    response = _client(api_client, client_for, world[role]).post(
        _rounds(article.slug), {}, format="json"
    )
    assert response.status_code == {"anonymous": 401, "other": 404}.get(role, 403)
    article.refresh_from_db()
    assert article.status == "draft"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reviewers": [999999]}, "reviewers"),
        ({"reviewers": "everyone"}, "reviewers"),
        ({"reviewers": [1, 2, 3, 4, 5, 6]}, "reviewers"),
        ({"rubric": 999999}, "rubric"),
        ({"rubric": "x"}, "rubric"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_review_requests_are_400_with_the_field(client_for, world, payload, field):
    article = draft_of(world["author"])
    response = client_for(world["author"]).post(_rounds(article.slug), payload, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in {error["field"].split(".")[0] for error in response.json()["errors"]}
    article.refresh_from_db()
    assert article.status == "draft"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "approved"}, "scores"),
        (
            {
                "decision": "approved",
                "scores": [
                    {"criterion": "Accuracy", "score": 4},
                    {"criterion": "Clarity", "score": 9},
                ],
            },
            "scores",
        ),
        (
            {
                "decision": "approved",
                "scores": [
                    {"criterion": "Accuracy", "score": 0},
                    {"criterion": "Clarity", "score": 1},
                ],
            },
            "scores",
        ),
        ({"decision": "approved", "scores": [{"criterion": "Accuracy"}]}, "scores"),
        ({"decision": "changes_requested", "comment": "Redo", "scores": []}, "scores"),
        ({"decision": "approved", "scores": "high"}, "scores"),
    ],
)
def test_out_of_scale_or_missing_scores_are_400_field_errors(client_for, world, payload, field):
    author, reviewer = world["author"], world["reviewer"]
    article = draft_of(author)
    round_ = reviews.review_request(actor=author, article=article, rubric=a_rubric(reviewer))

    response = client_for(reviewer).post(
        _round(article.slug, round_.pk, "decision/"), payload, format="json"
    )

    assert response.status_code == 400, response.json()
    assert field in {error["field"].split(".")[0] for error in response.json()["errors"]}
    assert not ArticleReview.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"revision": 2, "line": 99, "body": "x"}, "line"),
        ({"revision": 2, "line": 0, "body": "x"}, "line"),
        ({"revision": 77, "line": 1, "body": "x"}, "revision"),
        ({"revision": 2, "line": 1, "body": ""}, "body"),
        ({"revision": 2, "line": "one", "body": "x"}, "line"),
        ({"revision": 2, "line": 1, "body": "x" * 5001}, "body"),
    ],
)
def test_bad_comments_are_400_field_errors(client_for, world, payload, field):
    author, reviewer = world["author"], world["reviewer"]
    article = draft_of(author)
    round_ = reviews.review_request(actor=author, article=article)
    response = client_for(reviewer).post(
        _round(article.slug, round_.pk, "comments/"), payload, format="json"
    )
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}


def test_the_second_decision_gets_409_with_the_winners_review(client_for, world):
    author, reviewer, second = world["author"], world["reviewer"], world["other_mentor"]
    article = draft_of(author)
    round_ = reviews.review_request(
        actor=author, article=article, reviewer_ids=[reviewer.pk, second.pk]
    )
    url = _round(article.slug, round_.pk, "decision/")
    won = client_for(reviewer).post(url, {"decision": "approved"}, format="json")

    lost = client_for(second).post(
        url, {"decision": "changes_requested", "comment": "No"}, format="json"
    )

    assert lost.status_code == 409
    assert lost["Content-Type"] == "application/problem+json"
    assert lost.json()["review"]["id"] == won.json()["id"]
    assert lost.json()["review"]["reviewer"]["id"] == reviewer.pk


def test_comments_show_as_outdated_after_an_edit_changed_their_line(client_for, world):
    author, reviewer = world["author"], world["reviewer"]
    article = draft_of(author)
    round_ = reviews.review_request(actor=author, article=article)
    url = _round(article.slug, round_.pk, "comments/")
    client_for(reviewer).post(url, {"revision": 2, "line": 3, "body": "Why?"}, format="json")
    reviews.review_decide(
        actor=reviewer, request=round_, decision="changes_requested", comment="See line 3."
    )
    article.refresh_from_db()
    knowledge_services.article_update(
        article=article,
        editor=author,
        expected_version=article.version,
        body=article.body.replace("Keep hot data in memory.", "Keep hot data in RAM."),
    )

    [comment] = client_for(author).get(url).json()["results"]

    assert comment["outdated"] is True
    assert comment["current_line"] is None
    assert comment["line_text"] == "Keep hot data in memory."


def test_an_article_in_review_is_hidden_from_others_in_lists_detail_and_search(
    api_client, client_for, world
):
    author, reviewer = world["author"], world["reviewer"]
    article = draft_of(author, title="Zanzibar caching secrets")
    reviews.review_request(actor=author, article=article)
    for client in (api_client, client_for(world["other"])):
        assert client.get(f"/api/v1/articles/{article.slug}/").status_code == 404
        for query in ("", "?status=in_review"):
            listed = client.get(f"/api/v1/articles/{query}").json()["results"]
            assert article.slug not in [a["slug"] for a in listed]
        found = client.get("/api/v1/search/?q=Zanzibar").json()["results"]
        assert found == []
    assert client_for(reviewer).get(f"/api/v1/articles/{article.slug}/").status_code == 200
    mine = client_for(author).get("/api/v1/articles/?status=in_review").json()["results"]
    assert [a["slug"] for a in mine] == [article.slug]


def test_the_gate_refuses_publishing_through_the_api_with_a_field_error(client_for, world):
    author, reviewer = world["author"], world["reviewer"]
    reviews.author_article_review_set(actor=reviewer, author=author, required=True)
    article = draft_of(author)
    client = client_for(author)
    etag = client.get(f"/api/v1/articles/{article.slug}/")["ETag"]

    response = client.patch(
        f"/api/v1/articles/{article.slug}/",
        {"status": "published"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "status"
    assert "request one" in error["message"]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def test_lists_take_the_same_queries_at_two_page_sizes(client_for, world):
    author, reviewer = world["author"], world["reviewer"]
    rubric = a_rubric(reviewer)
    article = draft_of(author)
    for number in range(6):
        round_ = reviews.review_request(actor=author, article=article, rubric=rubric)
        for line in (1, 3):
            reviews.review_comment_add(
                actor=reviewer,
                request=round_,
                revision_number=round_.revision_number,
                line=line,
                body=f"Note {number}",
            )
        reviews.review_decide(
            actor=reviewer,
            request=round_,
            decision="changes_requested",
            comment="Again",
            scores=[{"criterion": "Accuracy", "score": 2}, {"criterion": "Clarity", "score": 2}],
        )
        article.refresh_from_db()
    last = reviews.review_request(actor=author, article=article)
    for line in range(1, 7):
        reviews.review_comment_add(
            actor=reviewer, request=last, revision_number=last.revision_number, line=line, body="x"
        )
    client = client_for(author)

    rounds_small = _count(client, f"{_rounds(article.slug)}?page_size=2")
    rounds_large = _count(client, f"{_rounds(article.slug)}?page_size=7")
    comments_url = _round(article.slug, last.pk, "comments/")
    comments_small = _count(client, f"{comments_url}?page_size=2")
    comments_large = _count(client, f"{comments_url}?page_size=6")
    queue_small = _count(client_for(reviewer), "/api/v1/review-queue/?page_size=1")

    print(
        f"\nqueries: rounds {rounds_small} / {rounds_large}, "
        f"comments {comments_small} / {comments_large}, queue {queue_small}"
    )
    assert rounds_small[1] == 2
    assert rounds_large[1] == 7
    assert rounds_small[0] == rounds_large[0] <= 12
    assert comments_small[0] == comments_large[0] <= 10


def test_the_queue_lists_what_waits_for_the_reviewer_only(client_for, world):
    author, reviewer = world["author"], world["reviewer"]
    article = draft_of(author)
    round_ = reviews.review_request(actor=author, article=article)
    mine = client_for(reviewer).get("/api/v1/review-queue/").json()["results"]
    assert [r["id"] for r in mine] == [round_.pk]
    assert client_for(world["other_mentor"]).get("/api/v1/review-queue/").json()["results"] == []


@pytest.fixture
def receiver(settings):
    """A webhook receiver on 127.0.0.1, which outbound requests may reach in this test only."""
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = True
    server = Receiver()
    yield server
    server.close()


def test_both_events_reach_every_channel(
    django_capture_on_commit_callbacks, world, mailoutbox, receiver
):
    author, reviewer = world["author"], world["reviewer"]
    second = other_mentor()
    webhook_create(actor=reviewer, url=receiver.url, events=["review.requested"])
    article = draft_of(author)
    with django_capture_on_commit_callbacks(execute=True):
        round_ = reviews.review_request(
            actor=author, article=article, reviewer_ids=[reviewer.pk, second.pk]
        )
    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_decide(
            actor=reviewer, request=round_, decision="changes_requested", comment="Cite it."
        )

    in_app = set(Notification.objects.values_list("recipient_id", "event_name"))
    assert in_app == {
        (reviewer.pk, "review.requested"),
        (second.pk, "review.requested"),
        (author.pk, "article.review_completed"),
        (second.pk, "article.review_completed"),
    }
    assert {(m.to[0], m.subject.split(":")[0]) for m in mailoutbox} >= {
        (reviewer.email, "[Nexus] Articles you are asked to review"),
        (author.email, "[Nexus] Reviews of articles decided"),
    }
    assert receiver.json()["event"] == "review.requested"
    assert receiver.json()["data"]["slug"] == article.slug


def test_a_daily_preference_puts_the_review_in_the_digest(
    django_capture_on_commit_callbacks, world, mailoutbox
):
    author, reviewer = world["author"], world["reviewer"]
    email_preferences_update(user=reviewer, preferences={"review.requested": "daily"})
    article = draft_of(author, title="Digest me")
    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_request(actor=author, article=article)
    assert mailoutbox == []

    assert send_digests("daily") >= 1
    [digest] = [m for m in mailoutbox if m.to == [reviewer.email]]
    assert "Articles you are asked to review: Review requested: Digest me" in digest.body


def test_an_unknown_round_or_a_round_of_another_article_is_404(client_for, world):
    author = world["author"]
    article = draft_of(author)
    other = draft_of(author, title="Another")
    round_ = reviews.review_request(actor=author, article=article)
    client = client_for(author)
    assert client.get(_round(other.slug, round_.pk)).status_code == 404
    assert client.get(_round(article.slug, 999999)).status_code == 404
    assert client.get(_rounds("no-such-article")).status_code == 404


def test_a_learner_cannot_be_asked_even_by_id(client_for, world):
    article = draft_of(world["author"])
    learner = UserFactory()
    response = client_for(world["author"]).post(
        _rounds(article.slug), {"reviewers": [learner.pk]}, format="json"
    )
    assert response.status_code == 400
    with transaction.atomic():
        article.refresh_from_db()
    assert article.status == "draft"


def test_the_author_opts_in_and_only_their_mentor_lifts_it(api_client, client_for, world):
    author, reviewer = world["author"], world["reviewer"]
    url = f"/api/v1/users/{author.pk}/article-review/"
    assert client_for(author).get(url).json() == {
        "author": author.pk,
        "required": False,
        "own_setting": None,
        "set_by": None,
    }
    assert client_for(world["other"]).get(url).status_code == 404
    assert api_client.get(url).status_code == 401

    set_by_mentor = client_for(reviewer).put(url, {"required": True}, format="json")
    assert set_by_mentor.json()["required"] is True
    lifted = client_for(author).put(url, {"required": False}, format="json")
    assert lifted.status_code == 403
    bad = client_for(reviewer).put(url, {"required": "perhaps"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "required"
    assert client_for(author).get(url).json()["required"] is True


def test_a_programme_setting_is_read_by_anyone_and_set_by_mentors(api_client, client_for, world):
    url = "/api/v1/programs/backend/article-review/"
    assert api_client.get(url).json() == {"program": "backend", "required": False}
    assert (
        client_for(world["author"]).put(url, {"required": True}, format="json").status_code == 403
    )
    assert client_for(world["reviewer"]).put(url, {"required": True}, format="json").json() == {
        "program": "backend",
        "required": True,
    }
    assert api_client.get("/api/v1/programs/nope/article-review/").status_code == 404
    author_setting = client_for(world["author"]).get(
        f"/api/v1/users/{world['author'].pk}/article-review/"
    )
    assert author_setting.json()["required"] is True
