"""Technologies and tags in the article and challenge forms: the same form fields as before (a
<select multiple> and comma-separated text) marked for forms.js's type-ahead chooser, with the most
used tags as suggestions, and still refused field by field."""

import json
import re

import pytest
from django.test import Client

from nexus.challenges import services as challenges
from nexus.challenges.models import Challenge
from nexus.knowledge.models import Article
from tests.knowledge.factories import ensure_taxonomy, make_article

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def suggestions(page: str) -> list[str]:
    match = re.search(r'name="tags"[^>]*data-suggestions="([^"]*)"', page) or re.search(
        r'data-suggestions="([^"]*)"[^>]*name="tags"', page
    )
    assert match, "the tags box carries no suggestions"
    return json.loads(match.group(1).replace("&quot;", '"'))


@pytest.mark.parametrize("url", ["/articles/new/", "/challenges/new/"])
def test_the_pickers_are_marked_for_the_chooser(owner, url):
    ensure_taxonomy()
    make_article(owner, title="Queues", tags=["celery", "queues"])
    make_article(owner, title="More queues", tags=["queues"])
    page = signed_in(owner).get(url).content.decode()
    assert re.search(r'<select name="technologies"[^>]*data-chooser[^>]*multiple', page)
    assert 'data-chooser="free"' in page
    assert suggestions(page) == ["queues", "celery"]  # the most used first
    assert "Hold Ctrl" not in page, "no Ctrl-click multi-select to explain"


def test_an_article_saves_what_the_chooser_submits(owner):
    ensure_taxonomy()
    response = signed_in(owner).post(
        "/articles/new/",
        {
            "title": "Pool sizes",
            "kind": "concept",
            "technologies": ["postgresql", "django"],
            "tags": "pooling, latency",
            "body": "Small pools.",
            "status": "draft",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(title="Pool sizes")
    assert sorted(article.technologies.values_list("slug", flat=True)) == ["django", "postgresql"]
    assert sorted(article.tags.values_list("name", flat=True)) == ["latency", "pooling"]


def test_an_unknown_technology_is_refused_next_to_the_field(owner):
    ensure_taxonomy()
    response = signed_in(owner).post(
        "/challenges/new/",
        {"title": "Checker fails on CI", "body": "`exit 1`", "technologies": ["cobol-9000"]},
    )
    assert response.status_code == 400
    assert 'data-field="technologies"' in response.content.decode()
    assert not Challenge.objects.exists()


def test_an_article_with_an_unknown_technology_is_a_400(owner):
    ensure_taxonomy()
    response = signed_in(owner).post(
        "/articles/new/",
        {"title": "Pools", "kind": "concept", "technologies": ["cobol-9000"], "status": "draft"},
    )
    assert response.status_code == 400
    assert 'data-field="technologies"' in response.content.decode()


def test_tag_suggestions_count_challenges_too(owner):
    ensure_taxonomy()
    make_article(owner, title="Flaky checker", tags=["checker"])
    for title in ("Checker one is slow", "Checker two is flaky"):
        challenges.challenge_create(author=owner, title=title, body="`exit 1`", tags=["ci"])
    assert suggestions(signed_in(owner).get("/challenges/new/").content.decode())[:2] == [
        "ci",
        "checker",
    ]
