"""Posting many challenges at once (imports): the same challenges as one at a time, the
author's own answer accepted, in a fixed number of statements."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from nexus.challenges import services
from nexus.challenges.models import Challenge, ChallengeStatus, ChallengeTerm, Solution
from nexus.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _drafts(count, *, solved=True):
    return [
        services.ChallengeDraft(
            title=f"Celery tasks ran twice after a deploy {n}",
            body=f"Workers picked up the same message {n}.",
            technologies=["celery", "rabbitmq"],
            tags=["deploys"],
            solution="Made the task idempotent with a key." if solved else "",
        )
        for n in range(count)
    ]


def _shape(challenge):
    accepted = challenge.accepted_solution
    return {
        "title": challenge.title,
        "body_html": challenge.body_html,
        "excerpt": challenge.excerpt,
        "status": challenge.status,
        "answers": challenge.answer_count,
        "accepted": (accepted.body, accepted.body_html, accepted.author_id) if accepted else None,
        "solved": challenge.solved_at is not None,
        "technologies": sorted(t.slug for t in challenge.technologies.all()),
        "tags": sorted(t.name for t in challenge.tags.all()),
        "terms": sorted(
            ChallengeTerm.objects.filter(challenge=challenge).values_list("term", flat=True)
        ),
    }


def test_challenges_posted_together_are_those_posted_one_at_a_time(owner):
    (draft,) = _drafts(1)
    (together,) = services.challenges_create(author=owner, drafts=[draft])
    alone = services.challenge_create(
        author=owner,
        title=draft.title,
        body=draft.body,
        technologies=draft.technologies,
        tags=draft.tags,
    )
    solution = services.solution_create(challenge=alone, author=owner, body=draft.solution)
    services.solution_accept(challenge=alone, solution=solution, actor=owner)
    made, expected = (_shape(Challenge.objects.get(pk=c.pk)) for c in (together, alone))
    assert made == expected
    assert made["status"] == ChallengeStatus.SOLVED
    names = sorted(OutboxEvent.objects.values_list("name", flat=True))
    assert names == sorted(["challenge.created", "challenge.answered", "solution.accepted"] * 2)


def test_a_refused_draft_is_returned_as_its_error_and_the_others_are_posted(owner):
    drafts = [
        *_drafts(1),
        services.ChallengeDraft(title="Hm", body="Too short a title."),
        services.ChallengeDraft(title="A proper title here", body="x", technologies=["nope"]),
        services.ChallengeDraft(title="A proper title again", body="   "),
    ]
    results = services.challenges_create(author=owner, drafts=drafts)
    assert isinstance(results[0], Challenge)
    assert all(isinstance(result, ValidationError) for result in results[1:])
    assert [sorted(r.message_dict) for r in results[1:]] == [["title"], ["technologies"], ["body"]]
    assert Challenge.objects.count() == 1


@pytest.mark.parametrize("count", [1, 30])
def test_the_statements_do_not_grow_with_the_number_of_challenges(
    owner, count, django_assert_max_num_queries
):
    with django_assert_max_num_queries(17):
        services.challenges_create(
            author=owner, drafts=_drafts(count) + _drafts(count, solved=False)
        )
    assert Challenge.objects.count() == 2 * count
    assert (
        Solution.objects.count()
        == Challenge.objects.filter(status=ChallengeStatus.SOLVED).count()
        == count
    )
    for challenge in Challenge.objects.filter(status=ChallengeStatus.SOLVED):
        assert challenge.accepted_solution.challenge_id == challenge.pk, "its own answer"
        assert (challenge.answer_count, challenge.solved_at is not None) == (1, True)
    assert not Challenge.objects.exclude(status=ChallengeStatus.SOLVED).filter(
        accepted_solution__isnull=False
    )


def test_only_someone_who_may_post_challenges_posts_them():
    with pytest.raises(PermissionDenied):
        services.challenges_create(author=AnonymousUser(), drafts=_drafts(1))
    assert not Challenge.objects.exists()
