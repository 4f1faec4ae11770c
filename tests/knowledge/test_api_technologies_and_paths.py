import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.knowledge import services
from nexus.knowledge.models import LearningPath, Technology
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db

TECHNOLOGIES = "/api/v1/technologies/"
PATHS = "/api/v1/paths/"


def test_technologies_list_with_the_api_map_fields(api_client):
    body = api_client.get(f"{TECHNOLOGIES}?category=devops&ordering=name").json()
    assert [t["slug"] for t in body["results"]] == [
        "docker",
        "github-actions",
        "jenkins",
        "kubernetes",
    ]
    assert {"slug", "name", "category", "description"} <= set(body["results"][0])
    assert body["results"][0]["category"] == "devops"


def test_technology_detail_lists_related_technologies(api_client):
    body = api_client.get(f"{TECHNOLOGIES}celery/").json()
    assert set(body["related"]) == {"rabbitmq", "redis", "cron"}
    assert api_client.get(f"{TECHNOLOGIES}cobol/").status_code == 404


def test_unknown_category_filter_is_a_400(api_client, db):
    assert api_client.get(f"{TECHNOLOGIES}?category=cooking").status_code == 400


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("other_user", 403), ("mentor", 201), ("admin_user", 201)],
)
def test_only_mentors_and_admins_add_technologies(request, api_client, client_for, who, expected):
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = client.post(
        TECHNOLOGIES,
        {"name": "FastAPI", "category": "languages-frameworks", "related": ["python"]},
        format="json",
    )
    assert response.status_code == expected
    assert Technology.objects.filter(name="FastAPI").exists() == (expected == 201)


def test_bad_technology_input_names_the_field(client_for, mentor):
    client = client_for(mentor)
    duplicate = client.post(TECHNOLOGIES, {"name": "django", "category": "apis"}, format="json")
    assert duplicate.json()["errors"][0]["field"] == "name"
    unknown = client.post(TECHNOLOGIES, {"name": "Go", "category": "nope"}, format="json")
    assert unknown.json()["errors"][0]["field"] == "category"


def test_mentors_edit_a_technology(client_for, mentor, other_user):
    url = f"{TECHNOLOGIES}redis/"
    assert client_for(other_user).patch(url, {"description": "x"}, format="json").status_code == 403
    response = client_for(mentor).patch(url, {"description": "Fast."}, format="json")
    assert response.json()["description"] == "Fast."


@pytest.mark.parametrize("page_size", [2, 18])
def test_technology_list_queries_do_not_depend_on_page_size(api_client, db, page_size):
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(f"{TECHNOLOGIES}?page_size={page_size}")
    assert len(response.json()["results"]) == page_size
    assert len(queries) == 1


def test_learning_path_with_progress_and_resume(client_for, api_client, owner, other_user):
    first = make_article(owner, title="Setup")
    second = make_article(owner, title="Models")
    created = client_for(owner).post(
        PATHS,
        {"title": "Month 1: Foundation Setup", "articles": [first.slug, second.slug]},
        format="json",
    )
    assert created.status_code == 201
    slug = created.json()["slug"]
    assert [s["article"] for s in created.json()["steps"]] == [first.slug, second.slug]

    client = client_for(other_user)
    marked = client.post(f"{PATHS}{slug}/progress/", {"article": first.slug}, format="json")
    assert [s["done"] for s in marked.json()["steps"]] == [True, False]
    assert [s["done"] for s in api_client.get(f"{PATHS}{slug}/").json()["steps"]] == [None, None]
    undone = client.post(
        f"{PATHS}{slug}/progress/", {"article": first.slug, "done": False}, format="json"
    )
    assert [s["done"] for s in undone.json()["steps"]] == [False, False]
    stray = client.post(f"{PATHS}{slug}/progress/", {"article": "nope"}, format="json")
    assert stray.status_code == 400


def test_paths_refuse_unknown_or_draft_articles(client_for, owner):
    draft = make_article(owner, status="draft")
    response = client_for(owner).post(
        PATHS, {"title": "Path", "articles": [draft.slug, "missing"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "articles"
    assert not LearningPath.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("other_user", 403), ("owner", 200), ("mentor", 200), ("admin_user", 200)],
)
def test_path_edit_permission_matrix(request, api_client, client_for, owner, who, expected):
    article = make_article(owner)
    path = services.learning_path_create(author=owner, title="P", articles=[article.slug])
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = client.patch(f"{PATHS}{path.slug}/", {"title": "Renamed"}, format="json")
    assert response.status_code == expected


def test_reordering_a_path_keeps_progress(owner, other_user):
    a, b, c = (make_article(owner, title=t) for t in ("A", "B", "C"))
    path = services.learning_path_create(author=owner, title="P", articles=[a.slug, b.slug])
    services.path_step_mark(user=other_user, path=path, article=a, done=True)
    services.learning_path_update(actor=owner, path=path, articles=[c.slug, a.slug])
    steps = list(path.steps.order_by("position").values_list("article__slug", "position"))
    assert steps == [(c.slug, 1), (a.slug, 2)]
    assert path.steps.get(article=a).progress.filter(user=other_user).exists()


@pytest.mark.parametrize("page_size", [1, 10])
def test_path_list_queries_do_not_depend_on_page_size(api_client, owner, page_size):
    article = make_article(owner)
    for number in range(12):
        services.learning_path_create(author=owner, title=f"P{number}", articles=[article.slug])
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(f"{PATHS}?page_size={page_size}")
    assert len(response.json()["results"]) == page_size
    assert len(queries) == 1


def test_a_step_whose_article_was_archived_is_shown_only_to_who_may_see_the_article(
    api_client, client_for, owner, other_user, mentor
):
    kept, archived = make_article(owner, title="Setup"), make_article(owner, title="Retracted")
    path = services.learning_path_create(
        author=owner, title="P", articles=[kept.slug, archived.slug]
    )
    services.article_archive(article=archived, editor=owner)

    def steps(client):
        return [step["article"] for step in client.get(f"{PATHS}{path.slug}/").json()["steps"]]

    assert steps(api_client) == steps(client_for(other_user)) == [kept.slug]
    assert steps(client_for(owner)) == steps(client_for(mentor)) == [kept.slug, archived.slug]
