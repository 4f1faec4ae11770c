"""Articles linking an API operation that a new spec version breaks are flagged "may be
outdated" until their author reviews them (issue #5 follow-up)."""

import pytest
from django.urls import reverse

from nexus.collab.models import Operation
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.core.models import OutboxEvent
from nexus.core.tasks import run_subscriber
from nexus.knowledge import services
from nexus.knowledge.models import Article
from nexus.notifications.models import Notification
from tests.collab.conftest import PETS_V1, PETS_V2
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db

HANDLER = "nexus.knowledge.handlers.flag_articles_linking_broken_operations"
PETS_V1_MORE = PETS_V1.replace(
    "components:\n",
    '  /owners:\n    get:\n      operationId: listOwners\n      responses:\n        "200": {description: Owners}\ncomponents:\n',
    1,
)


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
def linking(owner, show_pet_url):
    return make_article(
        owner, title="Fetching one pet", body=f"Call [show pet]({show_pet_url}) with the id."
    )


@pytest.fixture
def absolute_linking(owner, show_pet_url):
    return make_article(
        owner,
        title="Fetching one pet, absolutely",
        body=f"See <https://nexus.example{show_pet_url.rstrip('/')}> for the details.",
    )


@pytest.fixture
def unrelated(owner, pets_v1):
    other = Operation.objects.get(version=pets_v1, operation_id="listPets")
    url = reverse("collab:operation_detail", args=[pets_v1.api.slug, other.pk])
    return make_article(owner, title="Listing pets", body=f"Use [list]({url}) to page.")


def _upload(api, owner, raw, capture):
    with capture(execute=True):
        return spec_version_create(api=api, raw=raw, source="paste", actor=owner)[0]


def test_breaking_change_flags_only_articles_linking_the_operation(
    django_capture_on_commit_callbacks, pets_api, owner, linking, absolute_linking, unrelated
):
    version = _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    assert version.breaking_count > 0

    linking.refresh_from_db()
    absolute_linking.refresh_from_db()
    unrelated.refresh_from_db()
    assert linking.outdated_since is not None
    assert "GET /pets/{petId}" in linking.outdated_reason
    assert "v2" in linking.outdated_reason
    assert absolute_linking.outdated_since is not None
    assert unrelated.outdated_since is None
    assert Notification.objects.filter(
        recipient=owner, event_name="article.outdated", subject_id=str(linking.pk)
    ).exists()


def test_non_breaking_change_flags_nothing(
    django_capture_on_commit_callbacks, pets_api, owner, linking
):
    version = _upload(pets_api, owner, PETS_V1_MORE, django_capture_on_commit_callbacks)
    assert version.breaking_count == 0
    linking.refresh_from_db()
    assert linking.outdated_since is None
    assert not OutboxEvent.objects.filter(name="article.outdated").exists()


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
    assert OutboxEvent.objects.filter(name="article.outdated").count() == 1
    assert Notification.objects.filter(event_name="article.outdated").count() == 1


def test_editing_the_body_keeps_the_flag_until_reviewed(
    django_capture_on_commit_callbacks, pets_api, owner, linking
):
    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    linking.refresh_from_db()
    services.article_update(
        article=linking,
        editor=owner,
        expected_version=linking.version,
        body="Rewritten, no link any more.",
    )
    linking.refresh_from_db()
    assert linking.outdated_since is not None

    services.article_mark_reviewed(article=linking, actor=owner)
    linking.refresh_from_db()
    assert linking.outdated_since is None
    assert linking.outdated_reason == ""


def test_review_over_rest_author_200_other_user_403(
    django_capture_on_commit_callbacks, pets_api, owner, other_user, mentor, client_for, linking
):
    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    url = f"/api/v1/articles/{linking.slug}/review/"

    shown = client_for(other_user).get(f"/api/v1/articles/{linking.slug}/")
    assert shown.status_code == 200
    assert shown.json()["outdated_since"] is not None
    assert shown.json()["outdated_reason"].startswith("API pets v2 broke")

    assert client_for(other_user).post(url).status_code == 403
    assert Article.objects.get(pk=linking.pk).outdated_since is not None

    response = client_for(owner).post(url)
    assert response.status_code == 200
    assert response.json()["outdated_since"] is None
    assert response.json()["outdated_reason"] == ""
    assert Article.objects.get(pk=linking.pk).outdated_since is None


def test_anonymous_cannot_review(django_capture_on_commit_callbacks, pets_api, owner, linking):
    from rest_framework.test import APIClient

    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    response = APIClient().post(f"/api/v1/articles/{linking.slug}/review/")
    assert response.status_code in (401, 403)
    assert Article.objects.get(pk=linking.pk).outdated_since is not None


def test_mentor_may_review(django_capture_on_commit_callbacks, pets_api, owner, mentor, linking):
    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    services.article_mark_reviewed(article=linking, actor=mentor)
    assert Article.objects.get(pk=linking.pk).outdated_since is None


def test_graphql_exposes_the_flag(
    django_capture_on_commit_callbacks, pets_api, owner, client_for, linking
):
    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    query = "query($slug: String!) { article(slug: $slug) { outdatedSince outdatedReason } }"
    payload = {"query": query, "variables": {"slug": linking.slug}}
    response = client_for(owner).post("/graphql/", payload, format="json")
    data = response.json()
    assert "errors" not in data, data
    assert data["data"]["article"]["outdatedSince"] is not None
    assert "GET /pets/{petId}" in data["data"]["article"]["outdatedReason"]


def test_page_shows_banner_and_review_button_to_the_author(
    django_capture_on_commit_callbacks, client, pets_api, owner, other_user, linking
):
    _upload(pets_api, owner, PETS_V2, django_capture_on_commit_callbacks)
    page = linking.get_absolute_url()

    client.force_login(other_user)
    html = client.get(page).content.decode()
    assert "May be outdated:" in html
    assert 'data-testid="review-article"' not in html
    assert client.post(reverse("knowledge:review", args=[linking.slug])).status_code == 403

    client.force_login(owner)
    html = client.get(page).content.decode()
    assert 'data-testid="review-article"' in html
    response = client.post(reverse("knowledge:review", args=[linking.slug]))
    assert response.status_code == 302
    assert "May be outdated:" not in client.get(page).content.decode()
