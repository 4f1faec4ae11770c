"""The page cache (nexus/core/pagecache.py): visitors' pages and lists come from it, every write
that changes them is visible to the next read, and nothing of anyone's own is ever stored or
served to someone else."""

import re
from collections import Counter

import pytest
from django.contrib.auth.models import update_last_login
from django.db import connection, transaction

from nexus.accounts.services import user_update_profile
from nexus.challenges import services as challenge_services
from nexus.core import clock, pagecache
from nexus.journal.services import entry_create
from nexus.knowledge import services as knowledge_services
from tests.challenges.conftest import post_challenge
from tests.knowledge.factories import ensure_taxonomy, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(owner):
    return make_article(owner, title="Connection pooling", body="Keep connections open.")


@pytest.fixture
def challenge(owner):
    return post_challenge(owner, title="Gunicorn workers time out under load")


def public_urls(article, challenge):
    return [
        "/",
        "/articles/",
        f"/articles/{article.slug}/",
        "/technologies/",
        "/technologies/redis/",
        "/challenges/",
        f"/challenges/{challenge.pk}/",
        "/apis/",
        "/search/?q=connection",
        "/api/v1/articles/",
        f"/api/v1/articles/{article.slug}/",
        "/api/v1/challenges/",
        f"/api/v1/challenges/{challenge.pk}/",
        "/api/v1/technologies/",
        "/api/v1/apis/",
        "/api/v1/search/?q=connection",
    ]


def test_every_public_page_and_list_is_served_to_visitors_from_the_cache(
    client, article, challenge
):
    for url in public_urls(article, challenge):
        first = client.get(url)
        again = client.get(url)

        assert first.status_code == again.status_code == 200, url
        assert "X-Nexus-Cache" not in first, url
        assert again["X-Nexus-Cache"] == "hit", url
        assert again.content == first.content, url
        assert first["ETag"] == again["ETag"], url
        cache_control = set(again["Cache-Control"].split(", "))
        assert cache_control == {"public", "max-age=0", "s-maxage=1"}, url
        # No cookie for a visitor: a page that set one could not be shared.
        assert not first.cookies, url
        assert not again.cookies, url


def test_a_stored_page_is_served_with_the_csp_nonce_its_scripts_carry(client, article):
    first = client.get("/")
    again = client.get("/")
    assert again["X-Nexus-Cache"] == "hit"
    (nonce,) = set(re.findall(r'nonce="([^"]+)"', again.content.decode()))
    assert f"'nonce-{nonce}'" in first["Content-Security-Policy"]
    assert f"'nonce-{nonce}'" in again["Content-Security-Policy"]


def test_a_visitor_revalidates_with_the_etag_and_gets_a_304(client, article):
    url = f"/articles/{article.slug}/"
    etag = client.get(url)["ETag"]

    stored = client.get(url, headers={"If-None-Match": etag})
    weakened_by_gzip = client.get(url, headers={"If-None-Match": f"W/{etag}"})
    other = client.get(url, headers={"If-None-Match": '"another"'})

    assert stored.status_code == weakened_by_gzip.status_code == 304
    assert stored.content == b""
    assert stored["ETag"] == etag
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("url", "change"),
    [
        ("/articles/", "publish"),
        ("/api/v1/articles/", "publish"),
        ("/articles/{slug}/", "comment"),  # the count moves through update(), not save()
        ("/api/v1/articles/{slug}/", "comment"),
        ("/articles/{slug}/", "rename_author"),
        ("/challenges/{challenge}/", "vote"),
        ("/api/v1/challenges/{challenge}/", "solution"),
        ("/challenges/", "vote"),
    ],
)
def test_a_write_is_visible_to_the_next_read(
    client, owner, other_user, article, challenge, url, change
):
    url = url.format(slug=article.slug, challenge=challenge.pk)
    before = client.get(url)
    assert client.get(url)["X-Nexus-Cache"] == "hit"

    if change == "publish":
        make_article(other_user, title="Prepared statements and poolers")
        expected = b"Prepared statements and poolers"
    elif change == "comment":
        knowledge_services.comment_create(article=article, author=other_user, body="Which pool?")
        expected = None
    elif change == "rename_author":
        user_update_profile(actor=owner, user=owner, display_name="Olivia Renamed")
        expected = b"Olivia Renamed"
    elif change == "vote":
        challenge_services.challenge_vote(challenge=challenge, user=other_user, value=1)
        expected = None
    else:
        challenge_services.solution_create(
            challenge=challenge, author=other_user, body="Raise the timeout and add workers."
        )
        expected = None

    after = client.get(url)
    assert "X-Nexus-Cache" not in after, "a write makes the stored page obsolete"
    assert after.content != before.content
    if expected is not None:
        assert expected in after.content


def test_a_write_that_only_stamps_a_login_leaves_pages_stored(client, owner, article):
    client.get("/articles/")
    update_last_login(sender=None, user=owner)
    assert client.get("/articles/")["X-Nexus-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
def test_a_commit_makes_pages_rendered_during_the_transaction_obsolete(client, other_user):
    ensure_taxonomy()
    with transaction.atomic():
        make_article(other_user, title="Prepared statements and poolers")
        # Rendered inside the transaction, as another process may render it meanwhile.
        client.get("/articles/")
        version_inside = pagecache._versions(("knowledge",))
    assert pagecache._versions(("knowledge",)) != version_inside
    assert "X-Nexus-Cache" not in client.get("/articles/")


@pytest.mark.parametrize(
    ("sql", "group"),
    [
        ('UPDATE "knowledge_article" SET "comment_count" = %s WHERE "id" = %s', "knowledge"),
        ('INSERT INTO "challenges_challengevote" ("user_id") VALUES (%s)', "challenges"),
        ('DELETE FROM "collab_api" WHERE "id" IN (%s)', "collab"),
        ('UPDATE "accounts_user" SET "display_name" = %s WHERE "id" = %s', "people"),
        ('UPDATE "accounts_user" SET "last_login" = %s WHERE "id" = %s', None),
        ('INSERT INTO "accounts_user" ("email") VALUES (%s)', None),
        ('INSERT INTO "core_outboxevent" ("name") VALUES (%s)', None),
        ('SELECT "knowledge_article"."id" FROM "knowledge_article"', None),
    ],
)
def test_the_group_a_statement_writes(sql, group):
    assert pagecache.group_written(sql) == group


def test_every_connection_observes_its_writes():
    connection.ensure_connection()
    observers = [w for w in connection.execute_wrappers if isinstance(w, pagecache.WriteObserver)]
    assert len(observers) == 1


# --- Nothing of anyone's own is stored or served to someone else -------------------------------


def test_a_draft_its_author_sees_never_reaches_a_visitor(client, owner, client_for):
    make_article(owner, title="Secret draft", status="draft")
    make_article(owner, title="Public article")
    author_api = client_for(owner)

    mine = author_api.get("/api/v1/articles/?status=draft")
    client.force_login(owner)
    page = client.get("/articles/?status=draft")
    client.logout()
    visitor_api = client.get("/api/v1/articles/?status=draft")
    visitor_page = client.get("/articles/?status=draft")

    assert [a["title"] for a in mine.json()["results"]] == ["Secret draft"]
    assert b"Secret draft" in page.content
    for response in (mine, page):
        assert response["Cache-Control"] == "private, no-cache"
        assert "X-Nexus-Cache" not in response
    assert visitor_api.json()["results"] == []
    assert b"Secret draft" not in visitor_page.content
    assert "X-Nexus-Cache" not in visitor_api
    assert "X-Nexus-Cache" not in visitor_page


def test_a_visitors_stored_page_is_never_served_to_a_signed_in_reader(
    client, owner, other_user, challenge
):
    url = f"/challenges/{challenge.pk}/"
    client.get(url)
    challenge_services.challenge_vote(challenge=challenge, user=other_user, value=1)
    client.get(url)  # stored again, after the vote

    client.force_login(other_user)
    voter = client.get(url)

    assert "X-Nexus-Cache" not in voter
    assert voter["Cache-Control"] == "private, no-cache"
    assert b'aria-pressed="true" aria-label="Upvote"' in voter.content


def test_a_readers_own_vote_and_csrf_token_never_reach_anyone_else(
    client, owner, other_user, challenge
):
    url = f"/challenges/{challenge.pk}/"
    challenge_services.challenge_vote(challenge=challenge, user=other_user, value=1)
    client.force_login(other_user)
    voter = client.get(url)
    token = voter.context["csrf_token"]
    client.logout()

    visitor = client.get(url)
    again = client.get(url)
    client.force_login(owner)
    someone_else = client.get(url)

    assert b'aria-pressed="true"' in voter.content
    assert token.encode() not in visitor.content
    for response in (visitor, again):
        assert b'aria-pressed="true"' not in response.content
        assert b"csrfmiddlewaretoken" not in response.content
        assert b"X-CSRFToken" not in response.content
    assert again["X-Nexus-Cache"] == "hit"
    assert "X-Nexus-Cache" not in someone_else
    assert b'aria-pressed="true"' not in someone_else.content
    assert token.encode() not in someone_else.content


def test_private_journal_entries_are_private_responses(client, owner):
    entry_create(
        author=owner,
        date=clock.today(),
        body="What I did not understand about MVCC",
        visibility="private",
    )
    client.force_login(owner)
    month = client.get("/journal/")
    client.logout()
    visitor_search = client.get("/search/?q=MVCC")

    assert b"MVCC" in month.content
    assert month["Cache-Control"] == "private, no-cache"
    assert b"What I did not understand" not in visitor_search.content


def test_requests_with_credentials_bypass_the_cache_even_when_anonymous(client, article):
    client.get("/articles/")
    with_session_cookie = client.get("/articles/", headers={"Cookie": "sessionid=unknown"})
    with_authorization = client.get("/api/v1/articles/", headers={"Authorization": "Bearer x"})

    assert "X-Nexus-Cache" not in with_session_cookie
    assert with_authorization.status_code == 401
    assert "X-Nexus-Cache" not in with_authorization


def test_a_transaction_bumps_each_group_once_at_once_and_once_at_commit(
    owner, django_capture_on_commit_callbacks, monkeypatch
):
    bumped = []
    monkeypatch.setattr(pagecache, "bump", lambda *groups: bumped.append(set(groups)))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for number in range(3):
            make_article(owner, title=f"Replication lag {number}")
        post_challenge(owner, title="Replicas answer with stale rows")
    # Once as the first row is written, once at commit, however many rows.
    assert Counter(group for groups in bumped for group in groups) == dict.fromkeys(
        {group for groups in bumped for group in groups}, 2
    )
    assert {"knowledge", "challenges"} <= {group for groups in bumped for group in groups}


def test_a_page_looked_at_between_two_writes_sees_the_second(client, owner):
    with transaction.atomic():
        make_article(owner, title="Replication lag")
        client.get("/articles/")
        make_article(owner, title="Logical decoding")
        assert b"Logical decoding" in client.get("/articles/").content


def test_a_page_is_stored_per_host_and_scheme_since_its_links_name_them(client, owner, settings):
    settings.ALLOWED_HOSTS = ["nexus.example.com", "testserver"]
    for number in range(3):
        make_article(owner, title=f"Partitioning {number}")
    url = "/api/v1/articles/?page_size=1"
    client.get(url)

    other_host = client.get(url, headers={"Host": "nexus.example.com"})
    secure = client.get(url, secure=True)

    assert "X-Nexus-Cache" not in other_host
    assert other_host.json()["next"].startswith("http://nexus.example.com/")
    assert "X-Nexus-Cache" not in secure
    assert secure.json()["next"].startswith("https://testserver/")
