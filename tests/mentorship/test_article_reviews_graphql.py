"""Article review over GraphQL: the same rules as REST, errors as typed FieldErrors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.accounts.jwt import refresh_token_for
from nexus.mentorship import selectors
from nexus.mentorship.models import ArticleReview
from nexus.mentorship.services import articles as reviews
from tests.mentorship.article_review_fixtures import (
    a_rubric,
    cohort_with,
    draft_of,
    other_mentor,
)

pytestmark = pytest.mark.django_db

REQUEST = """mutation($slug: String!, $reviewers: [ID!]) {
  requestArticleReview(slug: $slug, reviewers: $reviewers) {
    request { id status revisionNumber reviewers { id } }
    errors { field code message }
  }
}"""
DECIDE = """mutation($id: ID!, $decision: String!, $comment: String!, $scores: [ArticleReviewScoreInput!]) {
  decideArticleReview(requestId: $id, decision: $decision, comment: $comment, scores: $scores) {
    review { id decision scores { criterion score } }
    winner { id reviewer { id } }
    errors { field code message }
  }
}"""
COMMENT = """mutation($id: ID!, $line: Int!) {
  addArticleReviewComment(requestId: $id, revision: 2, line: $line, body: "Why?") {
    comment { line outdated }
    errors { field code }
  }
}"""


def graphql(client, query, variables=None, user=None):
    headers = {"Authorization": f"Bearer {refresh_token_for(user).access_token}"} if user else {}
    response = client.post(
        "/graphql/",
        {"query": query, "variables": variables or {}},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
def author(owner, mentor):
    cohort_with(learner=owner, mentors=[mentor])
    return owner


def _decide(client, user, round_id, decision="approved", comment="", scores=None):
    variables = {"id": round_id, "decision": decision, "comment": comment, "scores": scores}
    return graphql(client, DECIDE, variables, user)["decideArticleReview"]


def test_request_comment_and_approve(client, author, mentor):
    article = draft_of(author)
    requested = graphql(client, REQUEST, {"slug": article.slug}, author)["requestArticleReview"]
    assert requested["errors"] == []
    assert requested["request"]["status"] == "open"
    round_id = requested["request"]["id"]

    commented = graphql(client, COMMENT, {"id": round_id, "line": 1}, mentor)
    assert commented["addArticleReviewComment"]["comment"] == {"line": 1, "outdated": False}
    decided = _decide(client, mentor, round_id)

    assert decided["errors"] == []
    assert decided["review"]["decision"] == "approved"
    article.refresh_from_db()
    assert article.status == "published"


@pytest.mark.parametrize(("who", "code"), [("other", "not_found"), ("mentor", "permission_denied")])
def test_only_the_author_requests(client, author, mentor, other_user, who, code):
    article = draft_of(author)
    user = {"other": other_user, "mentor": mentor}[who]
    result = graphql(client, REQUEST, {"slug": article.slug}, user)["requestArticleReview"]
    assert result["request"] is None
    assert [e["code"] for e in result["errors"]] == [code]


def test_anonymous_visitors_are_refused(client, author):
    article = draft_of(author)
    response = client.post(
        "/graphql/",
        {"query": REQUEST, "variables": {"slug": article.slug}},
        content_type="application/json",
    )
    assert "not authenticated" in str(response.json()["errors"]).lower()


def test_out_of_scale_scores_are_field_errors(client, author, mentor):
    article = draft_of(author)
    round_ = reviews.review_request(actor=author, article=article, rubric=a_rubric(mentor))
    scores = [{"criterion": "Accuracy", "score": 9}, {"criterion": "Clarity", "score": 1}]

    result = _decide(client, mentor, str(round_.pk), scores=scores)

    assert result["review"] is None
    assert [e["field"] for e in result["errors"]] == ["scores"]
    assert "from 1 to 4" in result["errors"][0]["message"]
    assert not ArticleReview.objects.exists()


def test_a_late_decision_gets_a_conflict_and_the_winners_review(client, author, mentor):
    second = other_mentor()
    article = draft_of(author)
    round_ = reviews.review_request(
        actor=author, article=article, reviewer_ids=[mentor.pk, second.pk]
    )
    won = _decide(client, mentor, str(round_.pk))

    lost = _decide(client, second, str(round_.pk), "changes_requested", "No")

    assert lost["review"] is None
    assert lost["winner"]["id"] == won["review"]["id"]
    assert [e["code"] for e in lost["errors"]] == ["conflict"]


def test_a_line_out_of_range_is_a_field_error(client, author, mentor):
    article = draft_of(author)
    round_ = reviews.review_request(actor=author, article=article)
    result = graphql(client, COMMENT, {"id": str(round_.pk), "line": 40}, mentor)
    assert result["addArticleReviewComment"]["errors"] == [
        {"field": "line", "code": "out_of_range"}
    ]


def test_the_queue_takes_the_same_queries_for_one_or_many_rounds(client, author, mentor):
    def count():
        with CaptureQueriesContext(connection) as queries:
            data = graphql(
                client,
                "{ articleReviewQueue { articleSlug reviewers { id } review { id } } }",
                user=mentor,
            )
        return len(queries), len(data["articleReviewQueue"])

    reviews.review_request(actor=author, article=draft_of(author, title="One"))
    one = count()
    for number in range(5):
        reviews.review_request(actor=author, article=draft_of(author, title=f"More {number}"))
    many = count()

    print(f"\ngraphql queue queries: {one} / {many}")
    assert (one[1], many[1]) == (1, 6)
    assert one[0] == many[0]


AUTHOR_SETTING = """mutation($id: ID!, $required: Boolean!) {
  setAuthorArticleReview(userId: $id, required: $required) { required errors { field code } }
}"""
PROGRAM_SETTING = """mutation($slug: String!, $required: Boolean!) {
  setProgramArticleReview(slug: $slug, required: $required) { required errors { field code } }
}"""


def test_a_mentors_requirement_holds_until_a_mentor_lifts_it(client, author, mentor):
    asked = {"id": str(author.pk), "required": True}
    lifted = {"id": str(author.pk), "required": False}

    by_mentor = graphql(client, AUTHOR_SETTING, asked, mentor)["setAuthorArticleReview"]
    by_author = graphql(client, AUTHOR_SETTING, lifted, author)["setAuthorArticleReview"]

    assert by_mentor == {"required": True, "errors": []}
    assert by_author["required"] is None
    assert by_author["errors"][0]["code"] == "permission_denied"
    assert selectors.article_review_required(author=author) is True


def test_a_programme_requires_reviews_and_its_learner_may_no_longer_publish_directly(
    client, author, mentor
):
    program = author.cohort_memberships.get().cohort.program
    variables = {"slug": program.slug, "required": True}

    refused = graphql(client, PROGRAM_SETTING, variables, author)["setProgramArticleReview"]
    answered = graphql(client, PROGRAM_SETTING, variables, mentor)["setProgramArticleReview"]

    assert refused["errors"][0]["code"] == "permission_denied"
    assert answered == {"required": True, "errors": []}
    assert selectors.article_review_required(author=author) is True
