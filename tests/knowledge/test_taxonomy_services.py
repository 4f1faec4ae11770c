"""Tags and technologies are knowledge's: one service normalises, limits and stores them for
articles, challenges and the journal alike."""

import pytest
from django.core.exceptions import ValidationError

from nexus.challenges import services as challenge_services
from nexus.knowledge import services
from nexus.knowledge.models import Tag
from tests.challenges.conftest import post_challenge
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db

ELEVEN_TAGS = [f"tag-{n}" for n in range(11)]


def test_tags_are_lower_case_slugs_without_duplicates():
    assert services.tags_normalise(names=["Django ORM", "django-orm", "CI"]) == ["django-orm", "ci"]


@pytest.mark.parametrize("bad", ["", "!!!", "x" * 41])
def test_an_empty_or_over_long_tag_is_a_tags_error(bad):
    with pytest.raises(ValidationError) as caught:
        services.tags_normalise(names=["fine", bad])
    assert list(caught.value.message_dict) == ["tags"]


def test_ten_tags_are_the_limit_and_duplicates_do_not_count():
    assert len(services.tags_normalise(names=[*ELEVEN_TAGS[:10], "TAG-0"])) == services.MAX_TAGS
    with pytest.raises(ValidationError) as caught:
        services.tags_normalise(names=ELEVEN_TAGS)
    assert caught.value.message_dict == {"tags": ["Use at most 10 tags."]}


def test_ensuring_tags_creates_only_the_missing_ones_in_the_order_given():
    Tag.objects.create(name="existing")
    tags = services.tags_ensure(names=["new", "existing"])
    assert [tag.name for tag in tags] == ["new", "existing"]
    assert services.tags_ensure(names=["existing", "new"]) == tags[::-1]
    assert Tag.objects.count() == 2


def test_technologies_resolve_in_order_and_name_the_unknown_ones_on_the_field():
    found = services.technologies_resolve(slugs=["redis", "django", "redis"])
    assert [tech.slug for tech in found] == ["redis", "django"]
    with pytest.raises(ValidationError) as caught:
        services.technologies_resolve(slugs=["redis", "cobol"], field="topics", limit=None)
    assert caught.value.message_dict == {"topics": ["Unknown technology: cobol."]}
    with pytest.raises(ValidationError) as caught:
        services.technologies_resolve(slugs=["redis", "django"], limit=1)
    assert caught.value.message_dict == {"technologies": ["Choose at most 1 technologies."]}


def _article(owner, tags):
    return make_article(owner, tags=tags)


def _challenge(owner, tags):
    return post_challenge(owner, tags=tags)


@pytest.mark.parametrize("write", [_article, _challenge], ids=["article", "challenge"])
def test_articles_and_challenges_share_the_tag_rules(owner, write):
    item = write(owner, ["Caching", "caching", *ELEVEN_TAGS[:9]])
    assert sorted(tag.name for tag in item.tags.all()) == sorted(["caching", *ELEVEN_TAGS[:9]])
    with pytest.raises(ValidationError) as caught:
        write(owner, ELEVEN_TAGS)
    assert caught.value.message_dict["tags"] == ["Use at most 10 tags."]


def test_a_challenge_names_at_most_five_technologies(owner):
    slugs = ["python", "django", "docker", "redis", "postgresql", "celery"]
    with pytest.raises(ValidationError) as caught:
        post_challenge(owner, technologies=slugs)
    assert caught.value.message_dict["technologies"] == [
        f"Choose at most {challenge_services.MAX_TECHNOLOGIES} technologies."
    ]
    assert post_challenge(owner, technologies=slugs[:5]).technologies.count() == 5


def test_taxonomy_and_text_errors_are_reported_together(owner):
    with pytest.raises(ValidationError) as caught:
        post_challenge(owner, title="short", technologies=["cobol"], tags=["!!!"])
    assert set(caught.value.message_dict) == {"title", "technologies", "tags"}
