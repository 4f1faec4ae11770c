"""Every write to accounts: sign-up, profiles, passwords, sign-outs, API tokens, teams."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.text import slugify
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from nexus.accounts import login_limits, policies
from nexus.accounts.models import ApiToken, Team, TeamMembership, TeamRole, Track, User
from nexus.accounts.tokens import password_reset_tokens, signup_tokens
from nexus.core import clock, taskqueue

API_TOKEN_PREFIX = "nxs_"
PROFILE_FIELDS = frozenset({"display_name", "bio", "avatar_url", "track"})
# `User.cohort` is the name of the learner's current cohort, kept by the journal's memberships.
COHORT_IS_MEMBERSHIP = "Your cohort comes from your membership: join one with an invite link."
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
    base_url: str,
    track: str = Track.BACKEND,
    cohort: str = "",
    next_path: str = "",
) -> None:
    """Start a sign-up; the answer and the work are the same whether or not the address is taken.

    A free address gets a pending account and a link to confirm it, a taken one a notice to its
    owner instead (one task mails either), so signing up never tells who has an account.
    `cohort` is accepted for old clients and ignored: cohorts come from memberships.
    `next_path` (a site path, e.g. an invitation's join page) is where the confirmed account lands.
    """
    email = User.objects.normalize_email(email)
    candidate = User(
        email=email,
        display_name=display_name.strip(),
        track=track,
        is_active=False,
        signup_pending=True,
    )
    # Every problem is reported at once, so a form shows all its field errors in one round; none
    # of them depends on whether the address is taken.
    errors: dict[str, list[ValidationError]] = {}
    try:
        candidate.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    # Hashed whether or not it is kept: the hash is the slow part, and its time must not tell.
    candidate.set_password(password)
    existing = User.objects.select_for_update().filter(email=email).first()
    if existing is None:
        _save_new_signup(candidate)
    elif existing.signup_pending:
        # Whoever signs up last sets the password; the earlier link dies with the old hash, and
        # the confirmation asks for the password, so a squatter's sign-up never gets the account.
        for name in ("password", "display_name", "track"):
            setattr(existing, name, getattr(candidate, name))
        existing.save(update_fields=["password", "display_name", "track", "updated_at"])
    taskqueue.enqueue_on_commit(
        "nexus.accounts.tasks.send_signup_email", email, base_url, next_path=safe_next(next_path)
    )


def safe_next(path: str | None) -> str:
    """A path on this site to go on to after signing up or in, or "" (never another site)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return ""
    return path[:500]


def _save_new_signup(candidate: User) -> None:
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        # Someone signed up with the address a moment ago: it is taken now, and the task says so.
        pass


def pending_signups_delete_expired() -> int:
    """Clean-up: sign-ups nobody confirmed before their link expired (each sign-up sends a new one).

    A deactivated account is inactive too, but it is no pending sign-up and is kept.
    """
    cutoff = clock.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    _, deleted = User.objects.filter(
        signup_pending=True, is_active=False, updated_at__lt=cutoff
    ).delete()
    return deleted.get(User._meta.label, 0)


def refresh_tokens_delete_expired() -> int:
    """Clean-up: refresh tokens past their expiry, and their blacklist entries with them, as
    simplejwt's flushexpiredtokens does; an expired token is refused whether or not it is listed."""
    _, deleted = OutstandingToken.objects.filter(expires_at__lte=clock.now()).delete()
    return deleted.get(OutstandingToken._meta.label, 0)


@transaction.atomic
def user_confirm_signup(*, uid: str, token: str, password: str, client_address: str | None) -> User:
    """Activate a pending account from its e-mailed link and the password chosen at sign-up."""
    user = _user_from_uid(uid, is_active=False, signup_pending=True)
    if user is None or not signup_tokens.check_token(user, token):
        raise ValidationError({"token": ["This confirmation link is invalid or has expired."]})
    if not login_limits.verify_password(user=user, password=password, address=client_address):
        raise ValidationError(
            {"password": ["This is not the password you chose when you signed up."]}
        )
    user.is_active = True
    user.signup_pending = False
    user.save(update_fields=["is_active", "signup_pending", "updated_at"])
    return user


@transaction.atomic
def user_update_profile(*, actor: User, user: User, **changes: str | None) -> User:
    """Change the profile fields a user may edit themselves (or an admin for them)."""
    if not policies.can_edit_user(actor, user):
        raise PermissionDenied("You may only edit your own profile.")
    if "cohort" in changes:
        raise ValidationError({"cohort": [COHORT_IS_MEMBERSHIP]}, code="read_only")
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


def users_cohort_label_set(*, user_ids: Iterable[int], label: str) -> int:
    """Write the name of their current cohort on users' profiles (the journal calls this when
    a membership opens, ends, or its cohort is renamed); returns how many changed."""
    return (
        User.objects.filter(pk__in=list(user_ids))
        .exclude(cohort=label[:80])
        .update(cohort=label[:80], updated_at=clock.now())
    )


@transaction.atomic
def user_change_password(
    *,
    actor: User,
    user: User,
    old_password: str,
    new_password: str,
    client_address: str | None,
) -> User:
    """Change a password, proving the old one first (limited like a login).

    The new password ends the account's other sessions and every JWT it was given.
    """
    if not policies.can_change_password(actor, user):
        raise PermissionDenied("Only the account's owner changes its password.")
    if not login_limits.verify_password(user=user, password=old_password, address=client_address):
        raise ValidationError({"old_password": ["The current password is not correct."]})
    _validate_new_password(new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    return user


@transaction.atomic
def user_log_out_everywhere(*, actor: User, user: User) -> User:
    """End every session and every JWT of an account at once. Personal API tokens stay: they
    are listed, and revoked one by one, on the same page."""
    if not policies.can_log_out_everywhere(actor, user):
        raise PermissionDenied("Only the account's owner or an admin logs it out everywhere.")
    return _bump_auth_generation(user)


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate an account; its sessions and JWTs end and stay dead if it is reactivated."""
    if not policies.can_deactivate_user(actor, user):
        raise PermissionDenied("Only an admin deactivates accounts.")
    return _bump_auth_generation(user, is_active=False)


def _bump_auth_generation(user: User, **changes: bool) -> User:
    User.objects.filter(pk=user.pk).update(
        auth_generation=F("auth_generation") + 1, updated_at=clock.now(), **changes
    )
    user.refresh_from_db(fields=["auth_generation", "is_active", "updated_at"])
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
    """Hand the address to the task that mails a reset link if an account may use one.

    The request does the same work whether or not the account exists (the task looks it up), so
    neither the answer nor its time tells anyone who has an account.
    """
    taskqueue.enqueue_on_commit(
        "nexus.accounts.tasks.send_password_reset_email_to_address",
        User.objects.normalize_email(email),
        base_url,
    )


def _user_from_uid(uid: str, **filters: bool) -> User | None:
    try:
        pk = force_str(urlsafe_base64_decode(uid))
        return User.objects.get(pk=pk, **filters)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password from a reset link's uid and token."""
    user = _user_from_uid(uid, is_active=True)
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
