"""Cohort pages without the admin site: start one, add people by searching, invite by link, and
a newcomer who signs up through the link lands back on the join page."""

import re

import pytest
from django.core import mail
from django.test import Client

from nexus.accounts.models import Role, User
from nexus.core import clock
from nexus.journal import selectors, services
from nexus.journal.models import Cohort, CohortInvitation
from tests.factories import UserFactory

PASSPHRASE = "a-long-enough-passphrase"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_mentor_starts_a_cohort_from_the_list_page(mentor, program):
    client = logged_in(mentor)
    assert "Start a cohort" in client.get("/journal/cohorts/").content.decode()
    response = client.post(
        "/journal/cohorts/new/",
        {"name": "Spring 2027", "program": program.pk, "start_date": str(clock.today())},
    )
    cohort = Cohort.objects.get(name="Spring 2027")
    assert response.status_code == 302
    assert response["Location"] == f"/journal/cohorts/{cohort.pk}/people/"
    assert list(cohort.mentors.all()) == [mentor]


def test_a_bad_cohort_form_shows_the_error_next_to_the_field(mentor, program, cohort):
    response = logged_in(mentor).post(
        "/journal/cohorts/new/",
        {"name": cohort.name, "program": program.pk, "start_date": str(clock.today())},
    )
    assert response.status_code == 400
    assert 'data-field="name"' in response.content.decode()


def test_the_cohort_page_finds_people_by_name_and_adds_them(cohort, mentor, learner):
    newcomer = UserFactory(display_name="Priya Patel", email="priya@example.org")
    client = logged_in(mentor)
    page = client.get(f"/journal/cohorts/{cohort.pk}/people/").content.decode()
    assert learner.display_name in page
    found = client.get(
        f"/journal/cohorts/{cohort.pk}/people/search/", {"q": "priya"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Priya Patel" in found
    assert f'value="{newcomer.pk}"' in found
    client.post(f"/journal/cohorts/{cohort.pk}/members/", {"user": newcomer.pk})
    assert selectors.cohort_of(learner=newcomer) == cohort


def test_assigning_a_mentor_on_the_cohort_page(cohort, mentor, learner, admin_user):
    second = UserFactory(display_name="Sam Second", role=Role.MENTOR)
    client = logged_in(admin_user)
    client.post(f"/journal/cohorts/{cohort.pk}/mentors/", {"mentors": [mentor.pk, second.pk]})
    client.post(
        f"/journal/cohorts/{cohort.pk}/members/{learner.pk}/mentors/", {"mentors": [second.pk]}
    )
    assert list(selectors.mentors_of(learner=learner)) == [second]
    refused = client.post(
        f"/journal/cohorts/{cohort.pk}/members/{learner.pk}/mentors/", {"mentors": ["x"]}
    )
    assert refused.status_code == 302
    assert list(selectors.mentors_of(learner=learner)) == [second]


def test_a_learner_in_the_cohort_cannot_manage_it(cohort, learner):
    assert logged_in(learner).get(f"/journal/cohorts/{cohort.pk}/people/").status_code == 403


@pytest.mark.parametrize("spoil", ["revoked", "used_up"])
def test_a_dead_link_explains_itself(spoil, cohort, mentor, other_user):
    invitation = services.invitation_create(cohort=cohort, actor=mentor, max_uses=1)
    if spoil == "revoked":
        services.invitation_revoke(invitation=invitation, actor=mentor)
    else:
        services.invitation_accept(token=invitation.token, user=UserFactory())
    page = logged_in(other_user).get(f"/join/{invitation.token}/")
    assert page.status_code == 410
    assert "withdrawn" in page.content.decode() or "used as many" in page.content.decode()
    posted = logged_in(other_user).post(f"/join/{invitation.token}/")
    assert posted.status_code == 400
    assert selectors.cohort_of(learner=other_user) is None


def test_a_forged_link_is_a_404_that_says_so(other_user):
    page = logged_in(other_user).get("/join/abc:def/")
    assert page.status_code == 404
    assert "not valid" in page.content.decode()


def test_a_newcomer_signs_up_through_the_link_and_lands_on_the_join_page(
    cohort, mentor, django_capture_on_commit_callbacks
):
    invitation = services.invitation_create(cohort=cohort, actor=mentor)
    join_path = f"/join/{invitation.token}/"
    visitor = Client()
    landing = visitor.get(join_path).content.decode()
    assert f"/accounts/signup/?next={join_path.replace(':', '%3A')}" in landing

    with django_capture_on_commit_callbacks(execute=True):
        visitor.post(
            f"/accounts/signup/?next={join_path}",
            {
                "email": "nia@example.com",
                "display_name": "Nia New",
                "track": "backend",
                "password": PASSPHRASE,
                "next": join_path,
            },
        )
    [message] = mail.outbox
    confirm = re.search(r"(/accounts/signup/confirm/\S+)", message.body).group(1)
    assert "next=" in confirm
    done = visitor.post(confirm, {"password": PASSPHRASE})
    assert done.status_code == 302
    assert done["Location"] == join_path

    joined = visitor.post(join_path)
    assert joined.status_code == 302
    nia = User.objects.get(email="nia@example.com")
    assert selectors.cohort_of(learner=nia) == cohort
    assert CohortInvitation.objects.get().uses == 1


def test_signup_refuses_to_send_people_to_another_site(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            "/accounts/signup/",
            {
                "email": "eve@example.com",
                "display_name": "Eve",
                "track": "backend",
                "password": PASSPHRASE,
                "next": "//evil.example/",
            },
        )
    [message] = mail.outbox
    assert "next=" not in message.body


def test_the_profile_shows_the_real_membership_and_refuses_to_type_one(learner, cohort, client_for):
    page = logged_in(learner).get("/accounts/profile/").content.decode()
    assert cohort.name in page
    assert "invite link" in page
    me = client_for(learner).get("/api/v1/me/").json()
    assert me["cohort"] == cohort.name
    refused = client_for(learner).patch("/api/v1/me/", {"cohort": "Elsewhere"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "cohort"
    assert User.objects.get(pk=learner.pk).cohort == cohort.name


def test_the_cohort_label_follows_renames_and_leaving(learner, cohort, mentor):
    services.cohort_update(cohort=cohort, actor=mentor, name="Autumn 2026")
    assert User.objects.get(pk=learner.pk).cohort == "Autumn 2026"
    services.cohort_remove_learner(actor=mentor, cohort=cohort, learner=learner)
    assert User.objects.get(pk=learner.pk).cohort == ""


def test_the_journal_nav_counts_reviews_waiting_for_this_mentor(learner, cohort, mentor):
    from nexus.journal.models import MilestoneStatus

    progress = selectors.progress_list(viewer=learner).first()
    services.progress_update(progress=progress, actor=learner, status=MilestoneStatus.SUBMITTED)
    other = UserFactory(role=Role.MENTOR)
    assert 'data-testid="nav-reviews-count"' in logged_in(mentor).get("/journal/").content.decode()
    assert (
        'data-testid="nav-reviews-count"' not in logged_in(other).get("/journal/").content.decode()
    )
    queue = logged_in(other).get("/journal/review/").content.decode()
    assert learner.display_name not in queue


def test_a_link_to_an_archived_cohort_says_so_and_joins_nobody(cohort, mentor, other_user):
    invitation = services.invitation_create(cohort=cohort, actor=mentor)
    services.cohort_archive(cohort=cohort, actor=mentor)
    client = logged_in(other_user)
    page = client.get(f"/join/{invitation.token}/")
    assert page.status_code == 410
    assert "archived" in page.content.decode()
    assert client.post(f"/join/{invitation.token}/").status_code == 400
    assert selectors.cohort_of(learner=other_user) is None
