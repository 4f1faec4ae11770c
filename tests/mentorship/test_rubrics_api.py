"""The rubric REST API: list, create, retrieve, patch (a new version), versions; who may; bounds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.mentorship.models import Rubric
from nexus.mentorship.services.rubrics import rubric_create
from tests.mentorship.conftest import CRITERIA

pytestmark = pytest.mark.django_db
RUBRICS = "/api/v1/rubrics/"


def test_a_mentor_creates_a_rubric_and_a_criteria_change_is_version_two(client_for, mentor):
    client = client_for(mentor)
    created = client.post(RUBRICS, {"name": "API", "criteria": CRITERIA}, format="json")
    assert created.status_code == 201, created.json()
    rubric = created.json()
    assert (rubric["version"], rubric["criteria"][0]["levels"][3]) == (1, "Robust")

    url = f"{RUBRICS}{rubric['id']}/"
    changes = {"criteria": [*CRITERIA, {"name": "Docs", "scale": 2}]}
    assert client.patch(url, changes, format="json").status_code == 428
    changed = client.patch(url, changes, format="json", HTTP_IF_MATCH=created["ETag"])
    assert changed.status_code == 200, changed.json()
    assert changed.json()["version"] == 2
    stale = client.patch(url, {"name": "Late"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert stale.status_code == 412
    assert client.get(url).json()["name"] == "API"
    versions = client.get(f"{RUBRICS}{rubric['id']}/versions/").json()["results"]
    assert [v["version"] for v in versions] == [2, 1]


@pytest.mark.parametrize(
    ("who", "reads", "writes"),
    [
        ("anonymous", 401, 401),
        ("owner", 200, 403),
        ("mentor", 200, 201),
        ("admin_user", 200, 201),
    ],
)
def test_rubric_permissions(request, api_client, client_for, mentor, who, reads, writes):
    rubric_create(actor=mentor, name="Existing", criteria=CRITERIA)
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    assert client.get(RUBRICS).status_code == reads
    response = client.post(RUBRICS, {"name": "New", "criteria": CRITERIA}, format="json")
    assert response.status_code == writes
    assert Rubric.objects.filter(name="New").exists() == (writes == 201)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "criteria": []}, "criteria"),
        ({"name": "X", "criteria": [{"name": "A", "scale": 11}]}, "criteria"),
        ({"name": "X", "criteria": [{"name": "A", "scale": "big"}]}, "criteria.0.scale"),
        ({"name": "", "criteria": CRITERIA}, "name"),
        ({"name": "X", "criteria": CRITERIA, "owner": 1}, "owner"),
    ],
)
def test_bad_rubrics_are_400_with_field_errors(client_for, mentor, body, field):
    response = client_for(mentor).post(RUBRICS, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not Rubric.objects.exists()


@pytest.mark.parametrize("count", [1, 8])
def test_listing_rubrics_takes_the_same_queries_however_many(client_for, mentor, count):
    for number in range(count):
        rubric_create(actor=mentor, name=f"Rubric {number}", criteria=CRITERIA)
    client = client_for(mentor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(RUBRICS)
    assert len(response.json()["results"]) == count
    print(f"\nrubric list of {count}: {len(queries)} queries")
    assert len(queries) <= 6


def test_mentors_attach_a_rubric_to_a_milestone_and_learners_may_not(
    client_for, mentor, owner, program
):
    rubric = rubric_create(actor=mentor, name="Attach", criteria=CRITERIA)
    milestone = program.milestones.get(number=2)
    url = f"/api/v1/milestone-rubrics/{milestone.pk}/"

    assert client_for(owner).put(url, {"rubric": rubric.pk}, format="json").status_code == 403
    attached = client_for(mentor).put(url, {"rubric": rubric.pk}, format="json")
    assert attached.status_code == 200, attached.json()
    assert attached.json()["rubric"]["name"] == "Attach"
    missing = client_for(mentor).put(url, {"rubric": 999999}, format="json")
    assert missing.status_code == 400
    assert client_for(mentor).put(url, {"rubric": None}, format="json").json()["rubric"] is None
