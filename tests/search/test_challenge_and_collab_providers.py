"""Challenges (with their solutions), API operations and integration issues in the search."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.challenges import services as challenge_services
from nexus.challenges.models import ChallengeStatus
from nexus.collab.models import Api, Operation
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.collab.services.issues import issue_create
from nexus.search import services
from nexus.search.models import SearchDocument
from tests.collab.conftest import PETS_V1, PETS_V2
from tests.knowledge.factories import make_article

URL = "/api/v1/search/"


def _search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def _hits(client, q, **params):
    return [(hit["type"], hit["title"]) for hit in _search(client, q=q, **params)["results"]]


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """Run a write with its events delivered (the index follows them)."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


@pytest.fixture
def challenge(delivered, owner):
    return delivered(
        challenge_services.challenge_create,
        author=owner,
        title="Gunicorn workers time out behind nginx",
        body="Requests hang for thirty seconds, then the worker is killed.",
        tags=["deployment"],
    )


@pytest.fixture
def pets(delivered, owner):
    api = delivered(api_create, actor=owner, name="Pets", description="Pets for everyone")
    delivered(spec_version_create, api=api, raw=PETS_V1, source="paste", actor=owner)
    return Api.objects.get(pk=api.pk)


def test_a_challenge_is_found_by_its_title(api_client, challenge):
    body = _search(api_client, q="gunicorn nginx")

    assert [(h["type"], h["id"]) for h in body["results"]] == [("challenge", challenge.pk)]
    hit = body["results"][0]
    assert hit["url"] == f"/challenges/{challenge.pk}/"
    assert hit["status"] == "open"
    assert hit["author_name"] == challenge.author.display_name
    assert body["facets"]["type"] == [{"value": "challenge", "label": "Challenges", "count": 1}]


def test_a_challenge_is_found_by_words_only_its_solution_uses(
    api_client, delivered, challenge, other_user
):
    assert _hits(api_client, "keepalive") == []

    delivered(
        challenge_services.solution_create,
        challenge=challenge,
        author=other_user,
        body="Raise the keepalive timeout above the proxy's.",
    )

    assert _hits(api_client, "keepalive") == [("challenge", challenge.title)]


def test_an_edited_challenge_is_found_by_its_new_words_only(
    api_client, delivered, challenge, owner
):
    delivered(
        challenge_services.challenge_update,
        challenge=challenge,
        actor=owner,
        title="Uvicorn workers time out behind nginx",
    )

    assert _hits(api_client, "uvicorn") == [("challenge", "Uvicorn workers time out behind nginx")]
    assert _hits(api_client, "gunicorn") == []


def test_an_edited_solution_and_an_accepted_one_update_the_challenge(
    api_client, delivered, challenge, owner, other_user
):
    solution = delivered(
        challenge_services.solution_create,
        challenge=challenge,
        author=other_user,
        body="Tune the backlog.",
    )
    delivered(
        challenge_services.solution_update,
        solution=solution,
        actor=other_user,
        body="Set proxy_read_timeout in nginx.",
    )
    assert _hits(api_client, "proxy_read_timeout") == [("challenge", challenge.title)]
    assert _hits(api_client, "backlog") == []

    delivered(
        challenge_services.solution_accept, challenge=challenge, solution=solution, actor=owner
    )
    assert _search(api_client, q="gunicorn")["results"][0]["status"] == "solved"
    assert _search(api_client, q="gunicorn", status="solved")["total"] == 1


def test_solved_challenges_rank_before_equally_relevant_open_ones(
    api_client, delivered, owner, other_user
):
    titles = ["Redis connection refused in docker", "Redis connection refused in compose"]
    first, second = (
        delivered(challenge_services.challenge_create, author=owner, title=title, body="Same.")
        for title in titles
    )
    solution = delivered(
        challenge_services.solution_create, challenge=first, author=other_user, body="Same."
    )
    delivered(challenge_services.solution_accept, challenge=first, solution=solution, actor=owner)

    hits = _search(api_client, q="redis connection refused")["results"]

    assert [h["id"] for h in hits] == [first.pk, second.pk]


def test_a_duplicate_challenge_leaves_the_index(api_client, delivered, challenge, owner, mentor):
    copy = delivered(
        challenge_services.challenge_create,
        author=owner,
        title="Gunicorn worker timeout with nginx proxy",
        body="Same thing again.",
    )
    assert len(_hits(api_client, "gunicorn")) == 2

    delivered(
        challenge_services.challenge_set_status,
        challenge=copy,
        actor=mentor,
        status=ChallengeStatus.DUPLICATE,
        duplicate_of=challenge,
    )

    assert _hits(api_client, "gunicorn") == [("challenge", challenge.title)]
    assert not SearchDocument.objects.filter(doc_type="challenge", object_id=copy.pk).exists()


def test_an_operation_is_found_by_its_path_and_by_its_summary(api_client, pets):
    by_summary = _search(api_client, q="add pet")["results"]
    by_path = _hits(api_client, "pets", type="operation")

    assert by_summary[0]["type"] == "operation"
    assert by_summary[0]["title"] == "POST /pets — Add a pet"
    operation = Operation.objects.get(pk=by_summary[0]["id"])
    assert by_summary[0]["url"] == f"/apis/pets/operations/{operation.pk}/"
    assert ("operation", "GET /pets/{petId}") in by_path
    assert ("operation", "GET /pets — List pets") in by_path
    assert _hits(api_client, "showPet") == [("operation", "GET /pets/{petId}")]


def test_only_the_latest_version_of_an_api_is_indexed(api_client, delivered, pets, owner):
    assert _search(api_client, q="pets", type="operation")["total"] == 3

    delivered(spec_version_create, api=pets, raw=PETS_V2, source="paste", actor=owner)

    hits = _search(api_client, q="pets", type="operation")["results"]
    latest = set(Operation.objects.filter(version__number=2).values_list("pk", flat=True))
    assert {h["id"] for h in hits} == latest
    assert len(latest) == 2
    assert SearchDocument.objects.filter(doc_type="operation").count() == 2


def test_operations_of_an_archived_api_do_not_show(api_client, pets):
    Api.objects.filter(pk=pets.pk).update(is_archived=True)

    # The last check hides them before the index has caught up ...
    assert SearchDocument.objects.filter(doc_type="operation").count() == 3
    assert _search(api_client, q="pets", type="operation")["results"] == []
    # ... and a rebuild takes them out.
    services.index_rebuild(doc_types=["operation"])
    assert not SearchDocument.objects.filter(doc_type="operation").exists()


def test_an_integration_issue_is_found_by_its_title_and_follows_its_updates(
    api_client, delivered, pets, owner, other_user
):
    issue = delivered(
        issue_create,
        reporter=other_user,
        api=pets,
        title="Pagination cursor ignored on listing",
        body="The `cursor` parameter has **no effect**.",
        labels=["pagination"],
    )

    body = _search(api_client, q="pagination cursor")
    assert [(h["type"], h["id"]) for h in body["results"]] == [("integration_issue", issue.pk)]
    assert body["results"][0]["url"] == f"/issues/{issue.pk}/"
    assert body["results"][0]["status"] == "open"
    assert {"value": "pagination", "label": "pagination", "count": 1} in body["facets"]["tag"]

    from nexus.collab.services.issues import issue_update

    delivered(issue_update, issue=issue, actor=owner, status="triaged")
    assert _search(api_client, q="pagination", status="triaged")["total"] == 1


def test_facets_count_every_new_type(api_client, challenge, pets, delivered, owner):
    make_article(owner, title="Pets and nginx", body="An article about gunicorn and pets.")
    delivered(issue_create, reporter=owner, api=pets, title="Pets gunicorn worker crash")
    services.index_rebuild(doc_types=["article"])

    facets = _search(api_client, q="gunicorn or pets")["facets"]["type"]

    assert {f["value"]: f["count"] for f in facets} == {
        "article": 1,
        "challenge": 1,
        "operation": 3,
        "integration_issue": 1,
    }
    assert {f["label"] for f in facets} >= {"Challenges", "API operations", "Integration issues"}


@pytest.mark.parametrize("who", ["anonymous", "other", "owner", "mentor", "admin"])
def test_public_content_shows_to_everyone_and_drafts_do_not_leak(
    api_client, client_for, challenge, pets, owner, other_user, mentor, admin_user, who
):
    make_article(owner, title="Gunicorn draft notes", body="Unpublished.", status="draft")
    services.index_rebuild(doc_types=["article"])
    client = {
        "anonymous": api_client,
        "other": client_for(other_user),
        "owner": client_for(owner),
        "mentor": client_for(mentor),
        "admin": client_for(admin_user),
    }[who]

    types = {t for t, _ in _hits(client, "gunicorn or pets")}

    assert {"challenge", "operation"} <= types
    assert ("article" in types) is (who in {"owner", "mentor", "admin"})


@pytest.mark.parametrize("page_size", [2, 20])
def test_query_count_is_bounded_with_mixed_types(api_client, delivered, owner, pets, page_size):
    for number in range(12):
        delivered(
            challenge_services.challenge_create,
            author=owner,
            title=f"Pets service fails number {number}",
            body="The pets endpoint answers 500.",
        )
    for number in range(8):
        delivered(issue_create, reporter=owner, api=pets, title=f"Pets listing bug {number}")

    with CaptureQueriesContext(connection) as queries:
        body = _search(api_client, q="pets", page_size=page_size)

    assert len(body["results"]) == page_size
    assert body["total"] == 23
    # the query's technology aliases, search + facets, the page's documents, one policy check
    # per type, snippets
    assert len(queries) <= 7
