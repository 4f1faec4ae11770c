"""Challenges fixtures: technologies (created when a flushed database lacks the default ones)
and helpers that post challenges and solutions through the services."""

import pytest

from nexus.challenges import services
from nexus.knowledge.models import Technology, TechnologyCategory


def technology(slug: str, name: str | None = None) -> Technology:
    category, _ = TechnologyCategory.objects.get_or_create(
        slug="testing-category", defaults={"name": "Testing category"}
    )
    tech, _ = Technology.objects.get_or_create(
        slug=slug, defaults={"name": name or slug.title(), "category": category}
    )
    return tech


@pytest.fixture
def python_tech(db):
    return technology("python", "Python")


@pytest.fixture
def docker_tech(db):
    return technology("docker", "Docker")


def post_challenge(author, title="Checker fails although the project runs locally", **kwargs):
    kwargs.setdefault("body", "It runs on my machine; the checker says `exit 1`.")
    return services.challenge_create(author=author, title=title, **kwargs)


def post_solution(challenge, author, body="Pin the Python version the checker uses."):
    return services.solution_create(challenge=challenge, author=author, body=body)


@pytest.fixture
def challenge(owner):
    return post_challenge(owner)


@pytest.fixture
def solution(challenge, other_user):
    return post_solution(challenge, other_user)
