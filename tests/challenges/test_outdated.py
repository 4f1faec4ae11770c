"""Solutions linking an API operation that a new spec version breaks are flagged "may be
outdated" until their author reviews them (issue #5 follow-up)."""

import pytest
from django.urls import reverse

from nexus.challenges import services
from nexus.challenges.models import Solution
from nexus.collab.models import Operation
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.core.models import OutboxEvent
from nexus.core.tasks import run_subscriber
from nexus.notifications.models import Notification
from tests.challenges.conftest import post_solution
from tests.collab.conftest import PETS_V1, PETS_V2

pytestmark = pytest.mark.django_db

HANDLER = "nexus.challenges.handlers.flag_solutions_linking_broken_operations"


@pytest.fixture
def pets_api(owner):
    return api_create(actor=owner, name="Pets", description="Pets for everyone")


@pytest.fixture
def pets_v1(pets_api, owner):
    return spec_version_create(api=pets_api, raw=PETS_V1, source="paste", actor=owner)[0]


@pytest.fixture
def show_pet_url(pets_v1):
    operation = Operation.objects.get(version=pets_v1, operation_id="showPet")
    return reverse("collab:operation_detail", args=[pets_v1.api.slug, operation.pk])


@pytest.fixture
def linking(challenge, other_user, show_pet_url):
    body = f"Call [the pet endpoint](http://testserver{show_pet_url}) with the id."
    return post_solution(challenge, other_user, body=body)


@pytest.fixture
def unrelated(challenge, mentor, pets_v1):
    return post_solution(challenge, mentor, body="Pin the Python version the checker uses.")


def _upload(api, owner, raw, capture):
    with capture(execute=True):
        return spec_version_create(api=api, raw=raw, source="paste", actor=owner)[0]


def test_breaking_change_flags_only_solutions_linking_the_operation(
    django_capture_on_commit_callbacks, pets_api, owner, other_user, linking, unrelated
):
    version = _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    assert version.breaking_count > 0

    linking.refresh_from_db()
    unrelated.refresh_from_db()
    assert linking.outdated_since is not None
    assert "GET /pets/{petId}" in linking.outdated_reason
    assert unrelated.outdated_since is None
    assert Notification.objects.filter(
        recipient=other_user, event_name="solution.outdated", subject_id=str(linking.pk)
    ).exists()


def test_non_breaking_change_flags_nothing(
    django_capture_on_commit_callbacks, pets_api, owner, linking
):
    more = PETS_V1.replace('version: "1.0"', 'version: "1.1"').replace(
        "summary: List pets", "summary: List every pet"
    )
    version = _upload(pets_api, owner, more, django_capture_on_commit_callbacks)
    assert version.breaking_count == 0
    linking.refresh_from_db()
    assert linking.outdated_since is None
    assert not OutboxEvent.objects.filter(name="solution.outdated").exists()


def test_redelivering_the_event_changes_nothing(
    django_capture_on_commit_callbacks, pets_api, owner, linking
):
    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    linking.refresh_from_db()
    since = linking.outdated_since
    event = OutboxEvent.objects.get(name="api.version_created", payload__version=2)

    with django_capture_on_commit_callbacks(execute=True):
        assert run_subscriber(str(event.pk), HANDLER)

    linking.refresh_from_db()
    assert linking.outdated_since == since
    assert OutboxEvent.objects.filter(name="solution.outdated").count() == 1


def test_editing_the_body_keeps_the_flag_until_reviewed(
    django_capture_on_commit_callbacks, pets_api, owner, other_user, linking
):
    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    linking.refresh_from_db()
    services.solution_update(solution=linking, actor=other_user, body="A new answer entirely.")
    assert Solution.objects.get(pk=linking.pk).outdated_since is not None

    services.solution_mark_reviewed(solution=linking, actor=other_user)
    linking.refresh_from_db()
    assert linking.outdated_since is None
    assert linking.outdated_reason == ""


def test_review_over_rest_author_200_other_user_403(
    django_capture_on_commit_callbacks, pets_api, owner, other_user, admin_user, client_for, linking
):
    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    url = f"/api/v1/solutions/{linking.pk}/review/"

    shown = client_for(owner).get(f"/api/v1/solutions/{linking.pk}/")
    assert shown.status_code == 200
    assert shown.json()["outdated_since"] is not None
    assert shown.json()["outdated_reason"].startswith("API pets v2 broke")

    # The challenge's author is not the solution's author.
    assert client_for(owner).post(url).status_code == 403
    assert Solution.objects.get(pk=linking.pk).outdated_since is not None

    response = client_for(other_user).post(url)
    assert response.status_code == 200
    assert response.json()["outdated_since"] is None
    assert Solution.objects.get(pk=linking.pk).outdated_since is None


def test_admin_may_review(django_capture_on_commit_callbacks, pets_api, owner, admin_user, linking):
    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    services.solution_mark_reviewed(solution=linking, actor=admin_user)
    assert Solution.objects.get(pk=linking.pk).outdated_since is None


def test_graphql_exposes_the_flag(
    django_capture_on_commit_callbacks, pets_api, owner, client_for, challenge, linking
):
    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    query = (
        "query($id: ID!) { challenge(id: $id) { solutions { id outdatedSince outdatedReason } } }"
    )
    payload = {"query": query, "variables": {"id": str(challenge.pk)}}
    data = client_for(owner).post("/graphql/", payload, format="json").json()
    assert "errors" not in data, data
    (solution,) = [s for s in data["data"]["challenge"]["solutions"] if s["id"] == str(linking.pk)]
    assert solution["outdatedSince"] is not None
    assert "GET /pets/{petId}" in solution["outdatedReason"]


def test_page_shows_banner_and_review_button_to_the_author(
    django_capture_on_commit_callbacks, client, pets_api, owner, other_user, challenge, linking
):
    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    page = reverse("challenges:detail", args=[challenge.pk])
    review = reverse("challenges:solution_review", args=[linking.pk])

    client.force_login(owner)
    html = client.get(page).content.decode()
    assert "May be outdated:" in html
    assert 'data-testid="review-solution"' not in html
    assert client.post(review).status_code == 403

    client.force_login(other_user)
    assert 'data-testid="review-solution"' in client.get(page).content.decode()
    assert client.post(review).status_code == 302
    assert "May be outdated:" not in client.get(page).content.decode()
