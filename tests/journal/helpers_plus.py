"""Builders for challenge and collaboration-hub rows the journal reads (tests only).

Rows are written straight through the ORM so their timestamps can be pinned to a month.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from nexus.challenges.models import Challenge, ChallengeStatus, Solution
from nexus.collab.models import Api, EndpointFeedback
from nexus.knowledge.models import Technology, TechnologyCategory


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def technology(name: str) -> Technology:
    category, _ = TechnologyCategory.objects.get_or_create(slug="jp-tests", name="JP tests")
    found, _ = Technology.objects.get_or_create(
        slug=f"jp-{name.lower()}", defaults={"name": f"JP {name}", "category": category}
    )
    return found


def challenge(author, *, posted: datetime, title: str = "A problem", technologies=()) -> Challenge:
    item = Challenge.objects.create(title=title, body="It breaks.", author=author)
    Challenge.objects.filter(pk=item.pk).update(created_at=posted)
    item.technologies.set([technology(name) for name in technologies])
    item.refresh_from_db()
    return item


def solution(item: Challenge, author, *, posted: datetime, accepted_at: datetime | None = None):
    answer = Solution.objects.create(challenge=item, author=author, body="Try this.")
    Solution.objects.filter(pk=answer.pk).update(created_at=posted)
    if accepted_at is not None:
        Challenge.objects.filter(pk=item.pk).update(
            accepted_solution=answer, status=ChallengeStatus.SOLVED, solved_at=accepted_at
        )
    return answer


def api(created_by, *, created: datetime, name: str, team=None, archived=False) -> Api:
    slug = name.lower().replace(" ", "-")
    item = Api.objects.create(
        slug=slug, name=name, created_by=created_by, team=team, is_archived=archived
    )
    Api.objects.filter(pk=item.pk).update(created_at=created)
    return item


def feedback(author, target: Api, *, created: datetime, key: str) -> EndpointFeedback:
    item = EndpointFeedback.objects.create(api=target, operation_key=key, author=author, naming=4)
    EndpointFeedback.objects.filter(pk=item.pk).update(created_at=created)
    return item


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
