"""Challenge events reach the notifications app: authors follow, answers and acceptance notify."""

from nexus.challenges import services
from nexus.notifications.models import Notification, Subscription
from tests.challenges.conftest import post_challenge, post_solution


def test_the_author_hears_of_an_answer_and_the_answerer_of_the_acceptance(
    django_capture_on_commit_callbacks, owner, other_user, mentor
):
    with django_capture_on_commit_callbacks(execute=True):
        challenge = post_challenge(owner)
    assert Subscription.objects.filter(
        user=owner, target_type="challenges.challenge", target_id=str(challenge.pk)
    ).exists()

    with django_capture_on_commit_callbacks(execute=True):
        solution = post_solution(challenge, other_user)
    answered = Notification.objects.get(recipient=owner, event_name="challenge.answered")
    assert answered.url == f"/challenges/{challenge.pk}/#solution-{solution.pk}"
    assert challenge.title in answered.title
    # The answerer now follows the challenge too.
    assert Subscription.objects.filter(user=other_user, target_id=str(challenge.pk)).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.solution_accept(challenge=challenge, solution=solution, actor=mentor)
    accepted = Notification.objects.filter(event_name="solution.accepted")
    assert set(accepted.values_list("recipient_id", flat=True)) == {other_user.pk, owner.pk}


def test_comment_replies_notify_the_parent_author(
    django_capture_on_commit_callbacks, challenge, owner, other_user, mentor
):
    with django_capture_on_commit_callbacks(execute=True):
        top = services.comment_create(challenge=challenge, author=other_user, body="Which OS?")
        reply = services.comment_create(
            challenge=challenge, author=mentor, body="Linux.", parent=top
        )
    replied = Notification.objects.filter(event_name="challenge.commented", recipient=other_user)
    assert replied.count() == 1
    assert replied.get().url == f"/challenges/{challenge.pk}/#comment-{reply.pk}"
