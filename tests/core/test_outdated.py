"""Content linking an API operation that a new spec version breaks is flagged "may be outdated"
until its author reviews it: one mechanism (nexus.core.outdated), the same behaviour for articles
and solutions, then what differs per kind."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from nexus.challenges import services as challenge_services
from nexus.challenges.models import Solution
from nexus.collab.models import Operation
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.core.models import OutboxEvent
from nexus.core.tasks import run_subscriber
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.models import Article
from nexus.notifications.models import Notification
from tests.challenges.conftest import post_challenge, post_solution
from tests.collab.conftest import PETS_V1, PETS_V2
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db

PETS_V1_MORE = PETS_V1.replace(
    "components:\n",
    '  /owners:\n    get:\n      operationId: listOwners\n      responses:\n        "200": {description: Owners}\ncomponents:\n',
    1,
)


# --- The two kinds ---------------------------------------------------------------------------
def _write_article(author, outsider, body, title="Fetching one pet", **fields):
    return make_article(author, title=title, body=body, **fields)


def _write_solution(author, outsider, body):
    # The outsider asked: asking a challenge does not make its answers theirs to review.
    return post_solution(post_challenge(outsider), author, body=body)


def _edit_article(article, actor):
    knowledge_services.article_update(
        article=article, editor=actor, expected_version=article.version, body="No link any more."
    )


def _edit_solution(solution, actor):
    challenge_services.solution_update(solution=solution, actor=actor, body="No link any more.")


def _graphql_article(client, article):
    query = "query($slug: String!) { article(slug: $slug) { outdatedSince outdatedReason } }"
    data = client.post(
        "/graphql/", {"query": query, "variables": {"slug": article.slug}}, format="json"
    ).json()
    assert "errors" not in data, data
    return data["data"]["article"]


def _graphql_solution(client, solution):
    query = (
        "query($id: ID!) { challenge(id: $id) { solutions { id outdatedSince outdatedReason } } }"
    )
    variables = {"id": str(solution.challenge_id)}
    data = client.post("/graphql/", {"query": query, "variables": variables}, format="json").json()
    assert "errors" not in data, data
    (found,) = [s for s in data["data"]["challenge"]["solutions"] if s["id"] == str(solution.pk)]
    return found


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[Any]
    handler: str
    write: Callable[..., Any]
    edit: Callable[[Any, Any], None]
    review: Callable[[Any, Any], Any]
    rest_path: Callable[[Any], str]
    page: Callable[[Any], str]
    review_page: Callable[[Any], str]
    graphql: Callable[[Any, Any], dict[str, Any]]

    @property
    def event(self) -> str:
        return f"{self.name}.outdated"


ARTICLES = Kind(
    name="article",
    model=Article,
    handler="nexus.knowledge.handlers.flag_articles_linking_broken_operations",
    write=_write_article,
    edit=_edit_article,
    review=lambda item, actor: knowledge_services.article_mark_reviewed(article=item, actor=actor),
    rest_path=lambda article: f"/api/v1/articles/{article.slug}/",
    page=lambda article: article.get_absolute_url(),
    review_page=lambda article: reverse("knowledge:review", args=[article.slug]),
    graphql=_graphql_article,
)
SOLUTIONS = Kind(
    name="solution",
    model=Solution,
    handler="nexus.challenges.handlers.flag_solutions_linking_broken_operations",
    write=_write_solution,
    edit=_edit_solution,
    review=lambda item, actor: challenge_services.solution_mark_reviewed(
        solution=item, actor=actor
    ),
    rest_path=lambda solution: f"/api/v1/solutions/{solution.pk}/",
    page=lambda solution: reverse("challenges:detail", args=[solution.challenge_id]),
    review_page=lambda solution: reverse("challenges:solution_review", args=[solution.pk]),
    graphql=_graphql_solution,
)


# --- Fixtures --------------------------------------------------------------------------------
@pytest.fixture(params=[ARTICLES, SOLUTIONS], ids=lambda kind: kind.name)
def kind(request):
    return request.param


@pytest.fixture
def author(other_user):
    return other_user


@pytest.fixture
def outsider(owner):
    return owner


@pytest.fixture
def pets_api(owner):
    return api_create(actor=owner, name="Pets", description="Pets for everyone")


@pytest.fixture
def pets_v1(pets_api, owner):
    return spec_version_create(api=pets_api, raw=PETS_V1, source="paste", actor=owner)[0]


def operation_path(version, operation_id):
    operation = Operation.objects.get(version=version, operation_id=operation_id)
    return reverse("collab:operation_detail", args=[version.api.slug, operation.pk])


@pytest.fixture
def show_pet_path(pets_v1):
    return operation_path(pets_v1, "showPet")


@pytest.fixture
def linking(kind, author, outsider, show_pet_path):
    return kind.write(author, outsider, f"Call [show pet]({show_pet_path}) with the id.")


@pytest.fixture
def upload(pets_api, owner, django_capture_on_commit_callbacks):
    def run(raw=PETS_V2):
        with django_capture_on_commit_callbacks(execute=True):
            return spec_version_create(api=pets_api, raw=raw, source="paste", actor=owner)[0]

    return run


def fresh(item):
    return type(item).objects.get(pk=item.pk)


# --- The same for every kind -----------------------------------------------------------------
def test_a_breaking_change_flags_what_links_the_operation_however_the_link_is_spelt(
    kind, author, outsider, pets_v1, show_pet_path, upload
):
    spellings = [
        f"Call [show pet]({show_pet_path}) with the id.",
        f"Call [the pet endpoint](http://testserver{show_pet_path}) with the id.",
        f"See <https://nexus.example{show_pet_path.rstrip('/')}> for the details.",
    ]
    linking = [kind.write(author, outsider, body) for body in spellings]
    list_pets = operation_path(pets_v1, "listPets")
    unrelated = kind.write(author, outsider, f"Use [list]({list_pets}) to page.")

    version = upload()

    assert version.breaking_count > 0
    for item in linking:
        flagged = fresh(item)
        assert flagged.outdated_since is not None
        assert "GET /pets/{petId}" in flagged.outdated_reason
        assert flagged.outdated_reason.startswith("API pets v2 broke")
        assert Notification.objects.filter(
            recipient=author, event_name=kind.event, subject_id=str(item.pk)
        ).exists()
    assert fresh(unrelated).outdated_since is None


def test_a_non_breaking_change_flags_nothing(kind, linking, upload):
    version = upload(PETS_V1_MORE)
    assert version.breaking_count == 0
    assert fresh(linking).outdated_since is None
    assert not OutboxEvent.objects.filter(name=kind.event).exists()


def test_flagging_is_not_an_edit(kind, linking, upload):
    before = fresh(linking).updated_at
    upload()
    assert fresh(linking).updated_at == before


def test_redelivering_the_event_changes_nothing(
    kind, linking, upload, django_capture_on_commit_callbacks
):
    upload()
    since = fresh(linking).outdated_since
    event = OutboxEvent.objects.get(name="api.version_created", payload__version=2)

    with django_capture_on_commit_callbacks(execute=True):
        assert run_subscriber(str(event.pk), kind.handler)

    assert fresh(linking).outdated_since == since
    assert OutboxEvent.objects.filter(name=kind.event).count() == 1
    assert Notification.objects.filter(event_name=kind.event).count() == 1


def test_editing_the_body_keeps_the_flag_until_reviewed(kind, author, linking, upload):
    upload()
    kind.edit(fresh(linking), author)
    assert fresh(linking).outdated_since is not None

    reviewed = kind.review(fresh(linking), author)

    assert (reviewed.outdated_since, reviewed.outdated_reason) == (None, "")
    assert (fresh(linking).outdated_since, fresh(linking).outdated_reason) == (None, "")


@pytest.mark.parametrize("reviewer", ["mentor", "admin_user"])
def test_mentors_and_admins_may_review(kind, linking, upload, reviewer, request):
    upload()
    kind.review(fresh(linking), request.getfixturevalue(reviewer))
    assert fresh(linking).outdated_since is None


def test_review_over_rest_author_200_outsider_403_anonymous_refused(
    kind, author, outsider, client_for, linking, upload
):
    upload()
    url = f"{kind.rest_path(linking)}review/"

    shown = client_for(outsider).get(kind.rest_path(linking))
    assert shown.status_code == 200
    assert shown.json()["outdated_since"] is not None
    assert shown.json()["outdated_reason"].startswith("API pets v2 broke")

    assert APIClient().post(url).status_code in (401, 403)
    assert client_for(outsider).post(url).status_code == 403
    assert fresh(linking).outdated_since is not None

    response = client_for(author).post(url)
    assert response.status_code == 200
    assert response.json()["outdated_since"] is None
    assert response.json()["outdated_reason"] == ""
    assert fresh(linking).outdated_since is None


def test_graphql_exposes_the_flag(kind, outsider, client_for, linking, upload):
    upload()
    shown = kind.graphql(client_for(outsider), linking)
    assert shown["outdatedSince"] is not None
    assert "GET /pets/{petId}" in shown["outdatedReason"]


def test_the_page_shows_a_banner_and_the_review_button_to_the_author(
    kind, client, author, outsider, linking, upload
):
    upload()
    page, review, button = (
        kind.page(linking),
        kind.review_page(linking),
        f'data-testid="review-{kind.name}"',
    )

    client.force_login(outsider)
    html = client.get(page).content.decode()
    assert "May be outdated:" in html
    assert button not in html
    assert client.post(review).status_code == 403

    client.force_login(author)
    assert button in client.get(page).content.decode()
    assert client.post(review).status_code == 302
    assert "May be outdated:" not in client.get(page).content.decode()


# --- Articles only ---------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["draft", "archived"])
def test_only_published_articles_are_flagged(author, outsider, show_pet_path, upload, status):
    body = f"Call [show pet]({show_pet_path}) with the id."
    article = _write_article(author, outsider, body, status="draft")
    if status == "archived":
        knowledge_services.article_archive(article=article, editor=author)

    upload()

    assert fresh(article).outdated_since is None
    assert not knowledge_services.article_flag_outdated(article=fresh(article), reason="x")
    assert not OutboxEvent.objects.filter(name="article.outdated").exists()


def test_flagging_an_article_keeps_its_version(author, outsider, show_pet_path, upload):
    article = _write_article(author, outsider, f"Call [show pet]({show_pet_path}).")
    upload()
    flagged = fresh(article)
    assert flagged.outdated_since is not None
    assert flagged.version == article.version


# --- Solutions only --------------------------------------------------------------------------
def test_a_solution_authors_notification_names_the_reason(author, outsider, show_pet_path, upload):
    solution = _write_solution(author, outsider, f"Call [show pet]({show_pet_path}).")
    upload()
    notification = Notification.objects.get(recipient=author, event_name="solution.outdated")
    event = OutboxEvent.objects.get(name="solution.outdated", subject_id=str(solution.pk))
    assert event.payload["title"] == f"Your solution may be outdated: {event.payload['reason']}"
    assert notification.subject_id == str(solution.pk)
