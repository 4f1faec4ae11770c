"""Accounts' services refuse whom their policies refuse, whichever door (or script) calls them."""

import pytest

from nexus.accounts import services
from nexus.accounts.models import ApiToken, Team, TeamMembership, TeamRole, User
from tests.factories import UserFactory
from tests.refusals import assert_refused

pytestmark = pytest.mark.django_db


def _team(owner, member):
    team = services.team_create(creator=owner, name="Web")
    services.team_member_set(actor=owner, team=team, user=member, role=TeamRole.BACKEND)
    return team


def _members(team):
    return sorted(TeamMembership.objects.filter(team=team).values_list("user_id", "role"))


def someone_elses_profile(owner, other_user, mentor):
    return (
        lambda: services.user_update_profile(actor=mentor, user=owner, display_name="Taken"),
        lambda: User.objects.get(pk=owner.pk).display_name,
    )


def someone_elses_password(owner, other_user, mentor):
    return (
        lambda: services.user_change_password(
            actor=other_user,
            user=owner,
            old_password="correct-horse-battery-staple",
            new_password="another-long-passphrase",
            client_address=None,
        ),
        lambda: User.objects.get(pk=owner.pk).password,
    )


def logging_someone_else_out_everywhere(owner, other_user, mentor):
    return (
        lambda: services.user_log_out_everywhere(actor=mentor, user=owner),
        lambda: User.objects.get(pk=owner.pk).auth_generation,
    )


def deactivating_an_account_as_a_mentor(owner, other_user, mentor):
    return (
        lambda: services.user_deactivate(actor=mentor, user=owner),
        lambda: User.objects.filter(pk=owner.pk).values_list("is_active", "auth_generation").get(),
    )


def a_token_for_an_inactive_account(owner, other_user, mentor):
    inactive = UserFactory(is_active=False)
    return (
        lambda: services.api_token_create(user=inactive, name="laptop"),
        lambda: ApiToken.objects.count(),
    )


def someone_elses_token(owner, other_user, mentor):
    token, _ = services.api_token_create(user=owner, name="laptop")
    return (
        lambda: services.api_token_revoke(actor=other_user, token=token),
        lambda: ApiToken.objects.get(pk=token.pk).revoked_at,
    )


def a_team_for_an_inactive_account(owner, other_user, mentor):
    inactive = UserFactory(is_active=False)
    return (
        lambda: services.team_create(creator=inactive, name="Web"),
        lambda: Team.objects.count(),
    )


def renaming_a_team_as_a_member(owner, other_user, mentor):
    team = _team(owner, other_user)
    return (
        lambda: services.team_update(actor=other_user, team=team, name="Mine now"),
        lambda: Team.objects.get(pk=team.pk).name,
    )


def promoting_oneself_as_a_member(owner, other_user, mentor):
    team = _team(owner, other_user)
    return (
        lambda: services.team_member_set(
            actor=other_user, team=team, user=other_user, role=TeamRole.OWNER
        ),
        lambda: _members(team),
    )


def removing_a_member_as_an_outsider(owner, other_user, mentor):
    team = _team(owner, other_user)
    return (
        lambda: services.team_member_remove(actor=mentor, team=team, user=other_user),
        lambda: _members(team),
    )


@pytest.mark.parametrize(
    "case",
    [
        someone_elses_profile,
        someone_elses_password,
        logging_someone_else_out_everywhere,
        deactivating_an_account_as_a_mentor,
        a_token_for_an_inactive_account,
        someone_elses_token,
        a_team_for_an_inactive_account,
        renaming_a_team_as_a_member,
        promoting_oneself_as_a_member,
        removing_a_member_as_an_outsider,
    ],
    ids=lambda case: case.__name__,
)
def test_a_service_refuses_what_its_policy_refuses(case, owner, other_user, mentor):
    assert_refused(*case(owner, other_user, mentor))


def test_an_admin_logs_someone_out_everywhere_and_deactivates_them(owner, admin_user):
    services.user_log_out_everywhere(actor=admin_user, user=owner)
    services.user_deactivate(actor=admin_user, user=owner)
    assert User.objects.filter(pk=owner.pk).values_list("is_active", "auth_generation").get() == (
        False,
        2,
    )


def test_an_admin_edits_someone_elses_profile_and_team(owner, other_user, admin_user):
    services.user_update_profile(actor=admin_user, user=owner, display_name="Renamed")
    team = _team(owner, other_user)
    services.team_update(actor=admin_user, team=team, name="Curated")
    assert User.objects.get(pk=owner.pk).display_name == "Renamed"
    assert Team.objects.get(pk=team.pk).name == "Curated"
