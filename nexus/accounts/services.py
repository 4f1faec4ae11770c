"""Every write to accounts: registration, profiles, API tokens, password resets."""

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.text import slugify

from nexus.accounts import policies
from nexus.accounts.models import ApiToken, Team, TeamMembership, TeamRole, Track, User
from nexus.accounts.tokens import password_reset_tokens
from nexus.core import clock, taskqueue

API_TOKEN_PREFIX = "nxs_"
PROFILE_FIELDS = frozenset({"display_name", "bio", "avatar_url", "track", "cohort"})
NOT_A_TEAM_OWNER = "Only the team's owners or an admin manage this team."


def hash_api_key(key: str) -> str:
    """The stored form of an API key: its SHA-256, so a leaked table leaks no usable keys."""
    return hashlib.sha256(key.encode()).hexdigest()


def _validate_new_password(password: str, *, user: User, field: str) -> None:
    """Django's password validators, with their errors attached to the form field."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    display_name: str,
    track: str = Track.BACKEND,
    cohort: str = "",
) -> User:
    """Create a learner account after checking the e-mail is free and the password strong."""
    email = User.objects.normalize_email(email)
    candidate = User(email=email, display_name=display_name.strip(), track=track, cohort=cohort)
    # Every problem is reported at once, so a form shows all its field errors in one round.
    errors: dict[str, list[ValidationError]] = {}
    try:
        candidate.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    candidate.set_password(password)
    candidate.save()
    return candidate


@transaction.atomic
def user_update_profile(*, actor: User, user: User, **changes: str | None) -> User:
    """Change the profile fields a user may edit themselves (or an admin for them)."""
    if not policies.can_edit_user(actor, user):
        raise PermissionDenied("You may only edit your own profile.")
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    # full_clean lets None through a blank field; the column would refuse it on save.
    nulls = [name for name, value in changes.items() if value is None]
    if nulls:
        raise ValidationError(
            {name: ["Send text (empty to clear it), not null."] for name in nulls}
        )
    for name, value in changes.items():
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=[*changes, "updated_at"])
    return user


@transaction.atomic
def user_change_password(*, actor: User, user: User, old_password: str, new_password: str) -> User:
    """Change a password, proving the old one first."""
    if not policies.can_change_password(actor, user):
        raise PermissionDenied("Only the account's owner changes its password.")
    if not user.check_password(old_password):
        raise ValidationError({"old_password": ["The current password is not correct."]})
    _validate_new_password(new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    return user


def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the token and its key, which is never shown again."""
    if not policies.can_create_token(user):
        raise PermissionDenied("This account may not create API tokens.")
    if expires_at is not None and expires_at <= clock.now():
        raise ValidationError({"expires_at": ["The expiry date must be in the future."]})
    key = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=key[: len(API_TOKEN_PREFIX) + 6],
        key_hash=hash_api_key(key),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    return token, key


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token; revoking twice keeps the first revocation time."""
    if not policies.can_manage_token(actor, token):
        raise PermissionDenied("You may only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_mark_used(*, token: ApiToken) -> None:
    """Record a token's use, at most once a minute to keep authentication cheap."""
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def password_reset_request(*, email: str, base_url: str) -> None:
    """Send a reset link to the account with this e-mail, if any, from a background task.

    The answer is the same whether or not the account exists, so nobody can probe for accounts.
    """
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is not None and user.has_usable_password():
        taskqueue.enqueue_on_commit(
            "nexus.accounts.tasks.send_password_reset_email", user.pk, base_url
        )


def _user_from_uid(uid: str) -> User | None:
    try:
        pk = force_str(urlsafe_base64_decode(uid))
        return User.objects.get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password from a reset link's uid and token."""
    user = _user_from_uid(uid)
    if user is None or not password_reset_tokens.check_token(user, token):
        raise ValidationError({"token": ["This reset link is invalid or has expired."]})
    _validate_new_password(new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    return user


def _unique_team_slug(name: str) -> str:
    base = slugify(name)[:70] or "team"
    slug, n = base, 1
    while Team.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def team_create(*, creator: User, name: str, description: str = "") -> Team:
    """Create a team; its creator becomes its first owner."""
    if not policies.can_create_team(creator):
        raise PermissionDenied("This account may not create teams.")
    team = Team(name=name.strip(), description=description.strip())
    team.slug = _unique_team_slug(team.name)
    team.full_clean()
    team.save()
    TeamMembership.objects.create(team=team, user=creator, role=TeamRole.OWNER)
    return team


@transaction.atomic
def team_update(*, actor: User, team: Team, **changes: str) -> Team:
    """Change a team's name or description (its owners, or an admin)."""
    if not policies.can_manage_team(actor, team):
        raise PermissionDenied(NOT_A_TEAM_OWNER)
    unknown = set(changes) - {"name", "description"}
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    for name, value in changes.items():
        setattr(team, name, value.strip())
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def team_member_set(*, actor: User, team: Team, user: User, role: str) -> TeamMembership:
    """Add a member to a team or change their role; a team always keeps an owner."""
    if not policies.can_manage_team(actor, team):
        raise PermissionDenied(NOT_A_TEAM_OWNER)
    if role not in TeamRole.values:
        raise ValidationError({"role": [f"Choose one of: {', '.join(TeamRole.values)}."]})
    membership, _ = TeamMembership.objects.select_for_update().get_or_create(
        team=team, user=user, defaults={"role": role}
    )
    if membership.role != role:
        _keep_an_owner(team, leaving=membership)
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def team_member_remove(*, actor: User, team: Team, user: User) -> None:
    """Remove a member; the last owner cannot leave."""
    if not policies.can_manage_team(actor, team):
        raise PermissionDenied(NOT_A_TEAM_OWNER)
    membership = TeamMembership.objects.select_for_update().filter(team=team, user=user).first()
    if membership is None:
        raise ValidationError({"user": ["This user is not a member of the team."]})
    _keep_an_owner(team, leaving=membership)
    membership.delete()


def _keep_an_owner(team: Team, *, leaving: TeamMembership) -> None:
    if leaving.role != TeamRole.OWNER:
        return
    owners = TeamMembership.objects.filter(team=team, role=TeamRole.OWNER).exclude(pk=leaving.pk)
    if not owners.exists():
        raise ValidationError({"role": ["A team needs at least one owner."]})
