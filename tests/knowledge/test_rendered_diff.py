"""The article diff page shows both revisions rendered side by side, changed blocks marked, with
the unified text diff kept in a <details>; and the Markdown editor is on every Markdown form."""

import re

import pytest
from django.test import Client

from nexus.core.markdown_diff import block_diff, markdown_blocks
from nexus.knowledge import services
from tests.challenges.conftest import post_challenge
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db

OLD = "# Retries\n\nUse backoff.\n\n- one\n- two\n\n```python\nretry()\n```\n\nThe end."
NEW = "# Retries\n\nUse exponential backoff.\n\n- one\n- two\n\nA new paragraph.\n\nThe end."


def browser(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_blocks_are_the_top_level_markdown_blocks():
    assert markdown_blocks(OLD) == [
        "# Retries",
        "Use backoff.",
        "- one\n- two",
        "```python\nretry()\n```",
        "The end.",
    ]


def test_changed_added_and_removed_blocks_are_paired_in_rows():
    diff = block_diff(OLD, NEW, render=lambda block: f"<{block}>")
    assert [row.kind for row in diff.rows] == [
        "equal",
        "changed",
        "equal",
        "changed",
        "equal",
    ]
    assert diff.rows[1].old_html == "<Use backoff.>"
    assert diff.rows[1].new_html == "<Use exponential backoff.>"
    assert diff.summary == "2 blocks changed, 0 added, 0 removed"
    assert block_diff("a", "a\n\nb", render=str).rows[-1].kind == "added"
    assert block_diff("a\n\nb", "a", render=str).rows[-1].kind == "removed"
    assert not block_diff(OLD, OLD, render=str).changed


def test_the_diff_page_renders_both_sides_sanitised_with_the_text_diff_kept(
    owner, django_assert_max_num_queries
):
    article = make_article(owner, body=OLD)
    services.article_update(
        article=article, editor=owner, expected_version=1, body=NEW + "\n\n<script>x</script>"
    )
    with django_assert_max_num_queries(12):
        page = browser().get(f"/articles/{article.slug}/diff/?from=1&to=2").content.decode()
    rendered = page[page.index('data-testid="rendered-diff"') : page.index("</section>")]
    assert "2 blocks changed, 0 added, 0 removed" not in rendered  # the script became a block
    assert "<p>Use backoff.</p>" in rendered
    assert "<p>Use exponential backoff.</p>" in rendered
    assert 'class="highlight"' in rendered  # code rendered as the article shows it
    assert "<script" not in rendered
    assert "Before, revision 1" in rendered
    assert "After, revision 2" in rendered
    assert re.search(r'<details data-testid="text-diff">\s*<summary>', page)
    assert "-Use backoff." in page
    assert "+Use exponential backoff." in page


def test_the_diff_query_count_does_not_grow_with_the_wiki_links(
    owner, django_assert_max_num_queries
):
    links = "\n\n".join(f"See [[page-{n}]]." for n in range(30))
    article = make_article(owner, body="Intro.")
    services.article_update(article=article, editor=owner, expected_version=1, body=links)
    with django_assert_max_num_queries(12):
        response = browser().get(f"/articles/{article.slug}/diff/?from=1&to=2")
    assert response.content.decode().count("wikilink-missing") == 30


def test_every_markdown_form_carries_the_editor(owner):
    client = browser(owner)
    challenge = post_challenge(owner, title="Gunicorn workers time out under load")
    for url in ("/articles/new/", "/challenges/new/", f"/challenges/{challenge.pk}/"):
        page = client.get(url).content.decode()
        assert "data-md-editor" in page, url
        assert 'role="toolbar"' in page
        assert 'aria-keyshortcuts="Control+B Meta+B"' in page
        assert "js/editor.js" in page
        assert "css/editor.css" in page


def test_the_markdown_preview_renders_like_saving(owner):
    response = browser(owner).post("/markdown/preview/", {"body": "**hi** <script>x</script>"})
    assert response.status_code == 200
    assert "<strong>hi</strong>" in response.content.decode()
    assert "<script" not in response.content.decode()
    assert browser().post("/markdown/preview/", {"body": "x"}).status_code == 302


def test_the_history_links_each_revision_to_its_rendered_changes(owner):
    article = make_article(owner, body=OLD)
    services.article_update(article=article, editor=owner, expected_version=1, body=NEW)
    page = browser().get(f"/articles/{article.slug}/history/").content.decode()
    assert f'href="/articles/{article.slug}/diff/?from=1&amp;to=2"' in page
    assert 'data-testid="changes-1"' not in page


def test_the_article_comment_box_is_the_editor_for_signed_in_readers(owner, other_user):
    article = make_article(owner, status="published")
    page = browser(other_user).get(f"/articles/{article.slug}/").content.decode()
    assert page.count("data-md-editor") == 1
    assert "js/editor.js" in page
    assert "js/editor.js" not in browser().get(f"/articles/{article.slug}/").content.decode()
