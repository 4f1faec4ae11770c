from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from nexus.core import clock
from nexus.core.models import TimeStampedModel


class Role(models.TextChoices):
    LEARNER = "learner", "Learner"
    MENTOR = "mentor", "Mentor"
    ADMIN = "admin", "Admin"


class Track(models.TextChoices):
    BACKEND = "backend", "Backend"
    FRONTEND = "frontend", "Frontend"
    FULLSTACK = "fullstack", "Full-stack"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return (email or "").strip().lower()

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email=self.normalize_email(username))


class User(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    # Stored lower-cased (see UserManager.normalize_email), so unique means unique ignoring case.
    email = models.EmailField(
        max_length=254,
        unique=True,
        error_messages={"unique": "An account with this e-mail address already exists."},
    )
    display_name = models.CharField(max_length=80)
    bio = models.TextField(max_length=2000, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    track = models.CharField(max_length=16, choices=Track.choices, default=Track.BACKEND)
    cohort = models.CharField(max_length=80, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.LEARNER)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May log in to the admin site.")
    # The migration names this callable; clock.now is the same function, by another path.
    date_joined = models.DateTimeField(default=timezone.now)  # noqa: TID251
    # Signed up, e-mail not confirmed yet: inactive until the link in the e-mail is used.
    signup_pending = models.BooleanField(default=False)
    # Bumped to end every session and JWT of the account at once: log out everywhere, deactivation.
    auth_generation = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        indexes = [
            models.Index(fields=["role"]),
            models.Index(fields=["display_name"]),
            # The weekly sign-ups on /metrics (nexus.core.metrics).
            models.Index(fields=["date_joined"], name="accounts_user_joined"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(signup_pending=True, is_active=True),
                name="accounts_user_pending_signup_is_inactive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django ends a session whose stored hash no longer matches this HMAC of the password
        # (its get_session_auth_hash and the SECRET_KEY_FALLBACKS check both come here); the
        # generation joins it so that logging out everywhere ends every session too. At
        # generation 0 it is Django's own value, so introducing it logged nobody out.
        signed = self.password
        if self.auth_generation:
            signed = f"{self.password}:{self.auth_generation}"
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            signed,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def credentials_fingerprint(self) -> str:
        """What a JWT carries of the credentials it was issued for (nexus/accounts/jwt.py).

        It changes whenever a session would end: a new password (by any path: the services, the
        admin, changepassword), logging out everywhere, deactivation.
        """
        return salted_hmac(
            "nexus.accounts.jwt.credentials", self.get_session_auth_hash(), algorithm="sha256"
        ).hexdigest()[:32]

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_moderator(self) -> bool:
        """Mentors and admins moderate content."""
        return self.is_mentor or self.is_admin


# Whoever asks: a signed-in user, or an anonymous visitor (policies and selectors accept both;
# services that write take a User, as only a signed-in user may write).
type Viewer = User | AnonymousUser


class ApiToken(TimeStampedModel):
    """A personal API token; only a hash of the key is stored, the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = clock.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class TeamRole(models.TextChoices):
    OWNER = "owner", "Owner"
    BACKEND = "backend", "Backend"
    FRONTEND = "frontend", "Frontend"


class Team(TimeStampedModel):
    """A group of learners who maintain APIs together."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(max_length=2000, blank=True)
    members = models.ManyToManyField(User, through="TeamMembership", related_name="teams")

    class Meta:
        indexes = [models.Index(fields=["name", "id"])]

    def __str__(self) -> str:
        return self.name


class TeamMembership(TimeStampedModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField(max_length=16, choices=TeamRole.choices, default=TeamRole.BACKEND)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="accounts_team_member_once")
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"
