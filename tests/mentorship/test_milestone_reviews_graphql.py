"""Milestone reviews over GraphQL: the same rules as REST, with typed errors."""

import pytest

from nexus.journal.models import MilestoneProgress
from nexus.mentorship.models import MilestoneReview
from nexus.mentorship.services.milestones import milestone_review, milestone_submit
from tests.mentorship.conftest import GOOD_SCORES

pytestmark = pytest.mark.django_db

SUBMIT = """
mutation($id: ID!) {
  submitMilestone(id: $id, note: "Over GraphQL") { submission { round note } errors { field code } }
}"""
SCORE = """
mutation($id: ID!, $decision: String!, $scores: [RubricScoreInput!], $comment: String! = "") {
  scoreMilestone(id: $id, decision: $decision, scores: $scores, comment: $comment) {
    review { decision rubricVersion scores { criterion score } reviewer { id } }
    conflict { id reviewer { id } }
    errors { field code message }
  }
}"""
THREAD = "query($id: ID!) { milestoneThread(id: $id) { round review { decision } } }"
RUBRICS = "{ rubrics { name version criteria { name scale levels } } }"


def gql(client, query, **variables):
    response = client.post("/graphql/", {"query": query, "variables": variables}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_submit_score_and_read_the_thread(client_for, progress, learner, mentor):
    submitted = gql(client_for(learner), SUBMIT, id=str(progress.pk))["data"]["submitMilestone"]
    assert submitted == {"submission": {"round": 1, "note": "Over GraphQL"}, "errors": []}

    scored = gql(
        client_for(mentor), SCORE, id=str(progress.pk), decision="approved", scores=GOOD_SCORES
    )["data"]["scoreMilestone"]
    assert scored["errors"] == []
    assert scored["review"]["rubricVersion"] == 1
    assert [s["score"] for s in scored["review"]["scores"]] == [3, 2]

    thread = gql(client_for(learner), THREAD, id=str(progress.pk))["data"]["milestoneThread"]
    assert thread == [{"round": 1, "review": {"decision": "approved"}}]
    rubrics = gql(client_for(learner), RUBRICS)["data"]["rubrics"]
    assert rubrics[0]["criteria"][0]["levels"][0] == "Broken"


def test_an_out_of_scale_score_is_a_typed_error_and_stores_nothing(
    client_for, progress, learner, mentor
):
    milestone_submit(progress=progress, actor=learner)
    scores = [{"criterion": "Correctness", "score": 7}, {"criterion": "Tests", "score": 1}]

    result = gql(
        client_for(mentor), SCORE, id=str(progress.pk), decision="approved", scores=scores
    )["data"]["scoreMilestone"]

    assert result["review"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("scores", "out_of_scale")]
    assert not MilestoneReview.objects.exists()


def test_a_second_review_is_a_typed_conflict_carrying_the_first(
    client_for, progress, learner, mentor, admin_user
):
    milestone_submit(progress=progress, actor=learner)
    first = milestone_review(
        progress=progress, reviewer=mentor, decision="approved", scores=GOOD_SCORES
    )

    result = gql(
        client_for(admin_user), SCORE, id=str(progress.pk), decision="approved", scores=GOOD_SCORES
    )["data"]["scoreMilestone"]

    assert [e["code"] for e in result["errors"]] == ["review_conflict"]
    assert result["conflict"] == {"id": str(first.pk), "reviewer": {"id": str(mentor.pk)}}


@pytest.mark.parametrize(
    ("who", "submit_error", "score_error", "reads"),
    [
        ("anonymous", "graphql", "graphql", "null"),
        ("other_user", "not_found", "not_found", "null"),
        ("learner", None, "permission_denied", "thread"),
        ("stranger_mentor", "permission_denied", "permission_denied", "null"),
        ("mentor", "permission_denied", None, "thread"),
        ("admin_user", "permission_denied", None, "thread"),
    ],
)
def test_permission_matrix(
    request, api_client, client_for, progress, learner, who, submit_error, score_error, reads
):
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    pk = str(progress.pk)

    def outcome(body, field):
        if body.get("errors"):
            return "graphql"
        errors = body["data"][field]["errors"]
        return errors[0]["code"] if errors else None

    assert outcome(gql(client, SUBMIT, id=pk), "submitMilestone") == submit_error
    if submit_error is not None:
        milestone_submit(progress=progress, actor=learner)
    score = gql(client, SCORE, id=pk, decision="approved", scores=GOOD_SCORES)
    assert outcome(score, "scoreMilestone") == score_error
    thread = gql(client, THREAD, id=pk)["data"]["milestoneThread"]
    assert (thread is None) == (reads == "null")


def test_the_journals_review_mutation_goes_through_the_thread(
    client_for, learner, mentor, admin_user
):
    plain = MilestoneProgress.objects.get(learner=learner, milestone__number=2)
    milestone_submit(progress=plain, actor=learner)
    review = """mutation($id: ID!) {
      reviewMilestone(id: $id, approve: false, comment: "More") {
        progress { status } errors { code }
      }
    }"""

    first = gql(client_for(mentor), review, id=str(plain.pk))["data"]["reviewMilestone"]
    second = gql(client_for(admin_user), review, id=str(plain.pk))["data"]["reviewMilestone"]

    assert first == {"progress": {"status": "in_progress"}, "errors": []}
    assert second == {"progress": None, "errors": [{"code": "review_conflict"}]}
    assert MilestoneReview.objects.get().submission.progress_id == plain.pk


CREATE_RUBRIC = """
mutation($name: String!, $criteria: [RubricCriterionInput!]!) {
  createRubric(name: $name, criteria: $criteria) {
    rubric { id version criteria { name scale levels } }
    errors { field code message }
  }
}"""
UPDATE_RUBRIC = """
mutation($id: ID!, $criteria: [RubricCriterionInput!], $archived: Boolean) {
  updateRubric(id: $id, criteria: $criteria, archived: $archived) {
    rubric { version archived criteria { name } }
    errors { field code message }
  }
}"""


def test_a_mentor_writes_and_versions_a_rubric_over_graphql(client_for, mentor):
    created = gql(
        client_for(mentor),
        CREATE_RUBRIC,
        name="GraphQL rubric",
        criteria=[{"name": "Clarity", "scale": 2, "levels": ["Muddled", "Clear"]}],
    )["data"]["createRubric"]
    assert created["errors"] == []
    assert created["rubric"]["version"] == 1

    updated = gql(
        client_for(mentor),
        UPDATE_RUBRIC,
        id=created["rubric"]["id"],
        criteria=[{"name": "Clarity", "scale": 2}, {"name": "Tests", "scale": 3}],
        archived=True,
    )["data"]["updateRubric"]

    assert updated["errors"] == []
    assert updated["rubric"]["version"] == 2
    assert updated["rubric"]["archived"] is True
    assert [c["name"] for c in updated["rubric"]["criteria"]] == ["Clarity", "Tests"]


def test_bad_criteria_over_graphql_are_field_errors_and_a_learner_is_refused(
    client_for, mentor, learner
):
    bad = gql(client_for(mentor), CREATE_RUBRIC, name="Bad", criteria=[{"name": "A", "scale": 11}])[
        "data"
    ]["createRubric"]
    refused = gql(
        client_for(learner), CREATE_RUBRIC, name="Mine", criteria=[{"name": "A", "scale": 2}]
    )["data"]["createRubric"]

    assert bad["rubric"] is None
    assert bad["errors"][0]["field"] == "criteria"
    assert refused["rubric"] is None
    assert refused["errors"][0]["code"] == "permission_denied"
