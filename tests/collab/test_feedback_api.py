import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.collab.models import EndpointFeedback, Operation
from nexus.collab.services.catalog import spec_version_create
from nexus.collab.services.feedback import feedback_submit
from tests.collab.conftest import PETS_V2
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def operation(version, key):
    return Operation.objects.get(version=version, key=key)


def test_a_user_rates_an_operation(client_for, other_user, pets_v1):
    op = operation(pets_v1, "POST /pets")
    response = client_for(other_user).post(
        "/api/v1/feedback/",
        {"operation": op.pk, "naming": 4, "error_messages": 2, "comment": "400 says nothing"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["operation"], body["api"], body["naming"], body["performance"]) == (
        "POST /pets",
        "pets",
        4,
        None,
    )


@pytest.mark.parametrize(
    "body",
    [
        {"naming": 6},
        {"naming": 0},
        {"comment": "no scores"},
        {"naming": 3, "colour": "red"},
        {"naming": "great"},
    ],
)
def test_bad_ratings_are_field_errors(client_for, other_user, pets_v1, body):
    op = operation(pets_v1, "POST /pets")
    response = client_for(other_user).post("/api/v1/feedback/", {"operation": op.pk, **body})
    assert response.status_code == 400
    assert response.json()["errors"]
    assert not EndpointFeedback.objects.exists()


def test_anonymous_users_cannot_rate(api_client, pets_v1):
    op = operation(pets_v1, "POST /pets")
    assert (
        api_client.post("/api/v1/feedback/", {"operation": op.pk, "naming": 3}).status_code == 401
    )


def test_rating_again_replaces_the_first_rating(other_user, pets_v1):
    op = operation(pets_v1, "POST /pets")
    feedback_submit(author=other_user, operation=op, naming=1)
    feedback_submit(author=other_user, operation=op, naming=5)
    assert list(EndpointFeedback.objects.values_list("naming", flat=True)) == [5]


def test_feedback_survives_a_new_version_and_aggregates(
    api_client, owner, other_user, mentor, pets_api, pets_v1
):
    feedback_submit(
        author=other_user, operation=operation(pets_v1, "POST /pets"), naming=2, documentation=4
    )
    v2 = spec_version_create(api=pets_api, raw=PETS_V2, source="paste", actor=owner)[0]
    feedback_submit(author=mentor, operation=operation(v2, "POST /pets"), naming=4)
    listed = api_client.get("/api/v1/feedback/?api=pets&operation=POST /pets").json()["results"]
    assert len(listed) == 2
    summary = api_client.get("/api/v1/feedback/summary/?api=pets&operation=POST /pets").json()
    assert summary["count"] == 2
    assert summary["averages"]["naming"] == 3.0
    assert summary["averages"]["documentation"] == 4.0
    assert summary["overall"] == 3.5
    assert api_client.get("/api/v1/feedback/summary/?api=pets").json()["count"] == 2


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("other_user", 403), ("mentor", 403), ("admin_user", 200)],
)
def test_the_owning_team_replies_and_marks_addressed(
    request, client_for, other_user, pets_v1, who, expected
):
    item = feedback_submit(author=other_user, operation=operation(pets_v1, "GET /pets"), naming=2)
    client = client_for(request.getfixturevalue(who))
    response = client.post(
        f"/api/v1/feedback/{item.pk}/reply/", {"reply": "Renamed it", "addressed": True}
    )
    assert response.status_code == expected
    item.refresh_from_db()
    assert (item.addressed_at is not None) == (expected == 200)


def test_a_reply_needs_text(client_for, owner, other_user, pets_v1):
    item = feedback_submit(author=other_user, operation=operation(pets_v1, "GET /pets"), naming=2)
    response = client_for(owner).post(f"/api/v1/feedback/{item.pk}/reply/", {"reply": ""})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reply"


def test_an_unknown_filter_value_is_a_400(api_client):
    assert api_client.get("/api/v1/feedback/?author=nobody").status_code == 400


@pytest.mark.parametrize("value", ["maybe", "null"])
def test_addressed_is_true_or_false_not_any_word(api_client, value):
    # django-filter's BooleanFilter read any other word as "not given" and listed everything.
    response = api_client.get("/api/v1/feedback/", {"addressed": value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "addressed"


@pytest.mark.parametrize("count", [1, 10])
def test_listing_feedback_takes_constant_queries(api_client, pets_v1, count):
    op = operation(pets_v1, "GET /pets")
    for _ in range(count):
        feedback_submit(author=UserFactory(), operation=op, naming=3)
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/feedback/?page_size=50")
    assert len(response.json()["results"]) == count
    assert len(queries) <= 2
