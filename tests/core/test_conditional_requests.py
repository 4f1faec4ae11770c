"""Conditional requests, the one rule (nexus/core/conditional.py), through every editable resource:
a strong ETag on reads, If-None-Match → 304, If-Match on writes (428 missing, 412 stale)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from django.test import RequestFactory

from nexus.accounts.models import Role
from nexus.challenges import services as challenge_services
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.collab.services.issues import issue_create
from nexus.core import conditional
from nexus.journal import selectors as journal_selectors
from nexus.journal import services as journal_services
from nexus.knowledge import services as knowledge_services
from nexus.mentorship.services.rubrics import rubric_create
from tests.challenges.conftest import post_challenge, post_solution
from tests.collab.conftest import PETS_V1
from tests.factories import UserFactory
from tests.journal.conftest import write_entry
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db

STRONG_ETAG = re.compile(r'^"[0-9a-f]+"$')


@dataclass(frozen=True)
class Editable:
    """How to make one resource as its owner, where it lives, and a valid change to it."""

    create: Any  # (owner, someone_else) -> the model instance
    url: Any  # instance -> its detail URL
    change: dict[str, Any]
    touch: Any = None  # (instance, someone_else) -> None: a change to a counter it shows


def _solution(owner, other):
    return post_solution(post_challenge(other, title="Someone else's checker problem"), owner)


def _cohort(owner, other):
    owner.role = Role.MENTOR
    owner.save(update_fields=["role"])
    return journal_services.cohort_create(
        actor=owner,
        program=journal_selectors.default_program(),
        name="Etag spring",
        start_date=date(2026, 9, 7),
    )


def _rubric(owner, other):
    owner.role = Role.MENTOR
    owner.save(update_fields=["role"])
    return rubric_create(
        actor=owner, name="Etag rubric", criteria=[{"name": "Clarity", "scale": 2}]
    )


def _issue(owner, other):
    return issue_create(reporter=owner, api=api_create(actor=other, name="Orders"), title="Broken")


EDITABLE = {
    "article": Editable(
        create=lambda owner, other: make_article(owner),
        url=lambda article: f"/api/v1/articles/{article.slug}/",
        change={"title": "Caching with Redis, revised"},
        touch=lambda article, other: knowledge_services.comment_create(
            article=article, author=other, body="Helpful, thanks."
        ),
    ),
    "challenge": Editable(
        create=lambda owner, other: post_challenge(owner),
        url=lambda challenge: f"/api/v1/challenges/{challenge.pk}/",
        change={"title": "Checker fails on exit status 1"},
        touch=lambda challenge, other: challenge_services.challenge_vote(
            challenge=challenge, user=other, value=1
        ),
    ),
    "solution": Editable(
        create=_solution,
        url=lambda solution: f"/api/v1/solutions/{solution.pk}/",
        change={"body": "Pin the Python version, then rebuild the image."},
        touch=lambda solution, other: challenge_services.solution_vote(
            solution=solution, user=other, value=1
        ),
    ),
    "journal entry": Editable(
        create=lambda owner, other: write_entry(owner),
        url=lambda entry: f"/api/v1/journal/entries/{entry.pk}/",
        change={"body": "Rewrote the retry logic."},
    ),
    "api": Editable(
        create=lambda owner, other: api_create(actor=owner, name="Pets"),
        url=lambda api: f"/api/v1/apis/{api.slug}/",
        change={"description": "Pets for everyone"},
        touch=lambda api, other: spec_version_create(
            api=api, raw=PETS_V1, source="paste", actor=api.created_by
        ),
    ),
    "cohort": Editable(
        create=_cohort,
        url=lambda cohort: f"/api/v1/cohorts/{cohort.pk}/",
        change={"description": "Evenings only."},
    ),
    "rubric": Editable(
        create=_rubric,
        url=lambda rubric: f"/api/v1/rubrics/{rubric.pk}/",
        change={"description": "For API projects."},
    ),
    "integration issue": Editable(
        create=_issue,
        url=lambda issue: f"/api/v1/integration-issues/{issue.pk}/",
        change={"title": "Broken since the last deploy"},
    ),
}
WITH_COUNTERS = [name for name, editable in EDITABLE.items() if editable.touch]


@pytest.fixture(params=list(EDITABLE))
def editable(request, owner, other_user, client_for):
    """(the resource's entry in the table, the resource, its URL, a client of its owner)."""
    entry = EDITABLE[request.param]
    resource = entry.create(owner, other_user)
    return entry, resource, entry.url(resource), client_for(owner)


def stored(resource):
    return type(resource).objects.filter(pk=resource.pk).values().get()


# --- Through every editable resource ----------------------------------------------------------
def test_a_read_sends_a_strong_etag(editable):
    _, _, url, client = editable
    response = client.get(url)
    assert response.status_code == 200
    assert STRONG_ETAG.match(response["ETag"]), response["ETag"]


@pytest.mark.parametrize("spelling", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
def test_if_none_match_naming_the_etag_is_a_304_without_a_body(editable, spelling):
    _, _, url, client = editable
    etag = client.get(url)["ETag"]
    response = client.get(url, headers={"If-None-Match": spelling.format(etag=etag)})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_if_none_match_naming_another_etag_sends_the_representation(editable):
    _, _, url, client = editable
    response = client.get(url, headers={"If-None-Match": '"a0b1c2", W/"d3e4f5"'})
    assert response.status_code == 200
    assert response.json()


def test_a_write_without_if_match_is_a_428_and_changes_nothing(editable):
    entry, resource, url, client = editable
    before = stored(resource)
    response = client.patch(url, entry.change, format="json")
    assert response.status_code == 428
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "precondition_required"
    assert "If-Match" in body["detail"]
    assert stored(resource) == before


def test_a_stale_if_match_is_a_412_with_the_current_etag_and_changes_nothing(editable):
    entry, resource, url, client = editable
    read = client.get(url)["ETag"]
    first = client.patch(url, entry.change, format="json", headers={"If-Match": read})
    assert first.status_code == 200, first.content
    before = stored(resource)
    stale = client.patch(url, entry.change, format="json", headers={"If-Match": read})
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["code"] == "precondition_failed"
    assert stale["ETag"] == first["ETag"]
    assert stored(resource) == before


@pytest.mark.parametrize("if_match", [None, '"stale"', "*"])
def test_someone_who_may_not_edit_is_refused_before_the_if_match_check(
    editable, client_for, if_match
):
    entry, resource, url, _ = editable
    before = stored(resource)
    headers = {"If-Match": if_match} if if_match else {}
    outsider = client_for(UserFactory(display_name="Una Outsider"))
    response = outsider.patch(url, entry.change, format="json", headers=headers)
    assert response.status_code in (403, 404), response.content  # never a 428 or a 412
    assert "ETag" not in response
    assert stored(resource) == before


def test_if_match_star_writes(editable):
    entry, resource, url, client = editable
    before = stored(resource)
    response = client.patch(url, entry.change, format="json", headers={"If-Match": "*"})
    assert response.status_code == 200, response.content
    assert stored(resource) != before


@pytest.mark.parametrize("spelling", ["{etag}", "W/{etag}", '"a0b1c2", {etag}'])
def test_if_match_naming_the_current_etag_writes_and_the_etag_moves_on(editable, spelling):
    entry, _, url, client = editable
    read = client.get(url)["ETag"]
    response = client.patch(
        url, entry.change, format="json", headers={"If-Match": spelling.format(etag=read)}
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] != read
    assert response["ETag"] == client.get(url)["ETag"], "a write answers with what a read sends"


@pytest.mark.parametrize("name", WITH_COUNTERS)
def test_a_counter_the_representation_shows_changes_the_etag(name, owner, other_user, client_for):
    entry = EDITABLE[name]
    resource = entry.create(owner, other_user)
    client = client_for(owner)
    read = client.get(entry.url(resource))["ETag"]
    entry.touch(resource, other_user)
    assert client.get(entry.url(resource), headers={"If-None-Match": read}).status_code == 200
    stale = client.patch(
        entry.url(resource), entry.change, format="json", headers={"If-Match": read}
    )
    assert stale.status_code == 412


# --- The other conditional writes: article PUT, archive and revert; deleting an entry --------
OTHER_WRITES = {
    "article PUT": (
        lambda owner: make_article(owner),
        "put",
        lambda article: f"/api/v1/articles/{article.slug}/",
        {"title": "Caching with Redis", "body": "Keep hot data in memory, briefly."},
    ),
    "article DELETE": (
        lambda owner: make_article(owner),
        "delete",
        lambda article: f"/api/v1/articles/{article.slug}/",
        None,
    ),
    "article revert": (
        lambda owner: make_article(owner),
        "post",
        lambda article: f"/api/v1/articles/{article.slug}/revert/",
        {"revision": 1},
    ),
    "journal entry DELETE": (
        lambda owner: write_entry(owner),
        "delete",
        lambda entry: f"/api/v1/journal/entries/{entry.pk}/",
        None,
    ),
}


@pytest.mark.parametrize("name", list(OTHER_WRITES))
def test_every_write_to_an_editable_resource_needs_the_current_etag(name, owner, client_for):
    create, method, url_of, data = OTHER_WRITES[name]
    resource = create(owner)
    url, send = url_of(resource), getattr(client_for(owner), method)
    before = stored(resource)
    assert send(url, data, format="json").status_code == 428
    assert send(url, data, format="json", headers={"If-Match": '"a0b1c2"'}).status_code == 412
    assert stored(resource) == before
    current = conditional.etag_for(type(resource).objects.get(pk=resource.pk))
    assert send(url, data, format="json", headers={"If-Match": current}).status_code in (200, 204)


# --- The parser and the tag ---------------------------------------------------------------
ETAG = '"5f3a9c"'


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ('"5f3a9c"', True),
        ('W/"5f3a9c"', True),
        ('"0000", "5f3a9c"', True),
        ('"0000",W/"5f3a9c" ,"1111"', True),
        ("*", True),
        ("  *  ", True),
        ('"5f3a9d"', False),
        ('"0000", W/"1111"', False),
        ("5f3a9c", False),  # unquoted: not an entity-tag
        ('"5f3a9c', False),
        ('W/"5f3a9c5f3a9c"', False),
        ("", False),
    ],
)
def test_if_match_and_if_none_match_read_lists_quotes_stars_and_weak_copies(header, named):
    assert conditional.if_match_holds(header, ETAG) is named
    assert conditional.if_none_match_hits(header, ETAG) is named


def test_a_comma_inside_quotes_is_part_of_the_tag():
    assert conditional.if_match_holds('"a,b", "c"', '"a,b"')
    assert not conditional.if_match_holds('"a,b", "c"', '"a"')


class Parts:
    def __init__(self, *parts):
        self.parts = parts

    def etag_parts(self):
        return self.parts


def test_the_etag_is_strong_opaque_and_follows_every_part():
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    etag = conditional.etag_for(Parts(3, moment, None))
    assert STRONG_ETAG.match(etag)
    assert etag == conditional.etag_for(Parts(3, moment, None))
    assert etag != conditional.etag_for(Parts(4, moment, None))
    assert etag != conditional.etag_for(Parts(3, moment + timedelta(microseconds=1), None))
    assert etag != conditional.etag_for(Parts(3, moment, 0))
    elsewhere = moment.astimezone(timezone(timedelta(hours=-7)))
    assert etag == conditional.etag_for(Parts(3, elsewhere, None)), "one moment, one tag"


def test_check_if_match_passes_unconditional_callers_and_names_the_current_etag():
    resource = Parts(7)
    current = conditional.etag_for(resource)
    conditional.check_if_match(None, resource)
    conditional.check_if_match(current, resource)
    with pytest.raises(conditional.PreconditionFailed) as failed:
        conditional.check_if_match('"0000"', resource)
    assert failed.value.current_etag == current


@pytest.mark.parametrize("headers", [{}, {"If-Match": "   "}])
def test_a_missing_if_match_is_required(headers):
    request = RequestFactory().patch("/api/v1/anything/", headers=headers)
    with pytest.raises(conditional.PreconditionRequired):
        conditional.if_match(request)


def test_head_honours_if_none_match(client_for, owner):
    article = make_article(owner)
    client = client_for(owner)
    url = f"/api/v1/articles/{article.slug}/"
    etag = client.get(url)["ETag"]
    response = client.head(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag
