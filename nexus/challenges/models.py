"""Challenges, their solutions, votes, comments, the reputation ledger and the similarity index."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from nexus.core.models import OutdatableModel, TimeStampedModel

BODY_MAX_CHARS = 512 * 1024
EXCERPT_MAX_CHARS = 240


class ChallengeStatus(models.TextChoices):
    OPEN = "open", "Open"
    SOLVED = "solved", "Solved"
    DUPLICATE = "duplicate", "Duplicate"
    CLOSED = "closed", "Closed"


class Challenge(TimeStampedModel):
    """A real problem someone hit; `score` and `answer_count` are counters kept by the services."""

    title = models.CharField(max_length=200)
    body = models.TextField(max_length=BODY_MAX_CHARS)
    # Rendered once when the body is written, never on a read.
    body_html = models.TextField(blank=True)
    # The body's start as plain text, what lists show instead of the body (written with it).
    excerpt = models.CharField(max_length=EXCERPT_MAX_CHARS, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="challenges"
    )
    technologies = models.ManyToManyField(
        "knowledge.Technology", blank=True, related_name="challenges"
    )
    tags = models.ManyToManyField("knowledge.Tag", blank=True, related_name="challenges")
    status = models.CharField(
        max_length=16, choices=ChallengeStatus.choices, default=ChallengeStatus.OPEN
    )
    # One column, so "one accepted solution per challenge" holds by construction; the one-to-one
    # also stops a solution from being the accepted answer of two challenges.
    accepted_solution = models.OneToOneField(
        "Solution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_for",
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    score = models.IntegerField(default=0)
    answer_count = models.PositiveIntegerField(default=0)
    solved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"]),
            models.Index(fields=["-score", "-id"]),
            models.Index(fields=["status", "-score", "-id"]),
            models.Index(fields=["-solved_at", "-id"]),
            models.Index(fields=["answer_count", "-created_at", "-id"]),
            models.Index(fields=["author", "-created_at", "-id"]),
            models.Index(fields=["-created_at", "-id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("id")), name="challenges_not_own_duplicate"
            ),
            models.CheckConstraint(
                condition=Q(status="duplicate", duplicate_of__isnull=False)
                | (~Q(status="duplicate") & Q(duplicate_of__isnull=True)),
                name="challenges_duplicate_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:detail", args=[self.pk])

    def etag_parts(self) -> tuple[object, ...]:
        """What the ETag is made of (nexus.core.conditional): text, taxonomy, status and
        acceptance are saves; votes and answers only move the counters."""
        return (self.updated_at, self.score, self.answer_count)


class Solution(TimeStampedModel, OutdatableModel):
    """An answer to a challenge."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="solutions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="challenge_solutions"
    )
    body = models.TextField(max_length=BODY_MAX_CHARS)
    body_html = models.TextField(blank=True)
    score = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["challenge", "-score", "id"]),
            models.Index(fields=["author", "-created_at", "-id"]),
            models.Index(fields=["-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"Solution {self.pk} to {self.challenge_id}"

    @property
    def is_accepted(self) -> bool:
        return hasattr(self, "accepted_for") and self.accepted_for is not None

    def get_absolute_url(self) -> str:
        return f"{reverse('challenges:detail', args=[self.challenge_id])}#solution-{self.pk}"

    def etag_parts(self) -> tuple[object, ...]:
        """What the ETag is made of (nexus.core.conditional): edits are saves; votes, the
        outdated flag and acceptance (a column of the challenge) change without one."""
        accepted = self.challenge.accepted_solution_id == self.pk
        return (self.updated_at, self.score, self.outdated_since, accepted)


class VoteValue(models.IntegerChoices):
    UP = 1, "Up"
    DOWN = -1, "Down"


class ChallengeVote(TimeStampedModel):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_votes"
    )
    value = models.SmallIntegerField(choices=VoteValue.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "challenge"], name="challenges_vote_once"),
            models.CheckConstraint(
                condition=Q(value__in=[1, -1]), name="challenges_vote_value_valid"
            ),
        ]
        indexes = [models.Index(fields=["challenge"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value:+d} challenge {self.challenge_id}"


class SolutionVote(TimeStampedModel):
    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="solution_votes"
    )
    value = models.SmallIntegerField(choices=VoteValue.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "solution"], name="challenges_solution_vote_once"
            ),
            models.CheckConstraint(
                condition=Q(value__in=[1, -1]), name="challenges_solution_vote_value_valid"
            ),
        ]
        indexes = [models.Index(fields=["solution"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value:+d} solution {self.solution_id}"


class Comment(TimeStampedModel):
    """A comment on a challenge or on one of its solutions, or a reply (one level deep)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="comments")
    solution = models.ForeignKey(
        Solution, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="challenge_comments"
    )
    body = models.TextField(max_length=20_000)
    body_html = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["challenge", "solution", "created_at", "id"]),
            models.Index(fields=["parent", "created_at", "id"]),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on challenge {self.challenge_id}"


class ReputationReason(models.TextChoices):
    CHALLENGE_VOTE = "challenge_vote", "Vote on a challenge"
    SOLUTION_VOTE = "solution_vote", "Vote on a solution"
    ACCEPTED = "accepted", "Accepted solution"


class ReputationEntry(TimeStampedModel):
    """Points one user earned from one source; a changed vote updates its row, a removed one
    deletes it, so a user's reputation is the sum of their rows (leaderboards aggregate them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reputation_entries"
    )
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="reputation_entries"
    )
    reason = models.CharField(max_length=16, choices=ReputationReason.choices)
    # The vote's or the accepted solution's id: with `reason`, what the points are for.
    source_id = models.BigIntegerField()
    points = models.IntegerField()

    class Meta:
        verbose_name_plural = "reputation entries"
        constraints = [
            models.UniqueConstraint(
                fields=["reason", "source_id"], name="challenges_reputation_once_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["created_at", "user"]),
            models.Index(fields=["challenge", "user"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.points:+d} ({self.reason})"


class ChallengeTerm(TimeStampedModel):
    """A significant word of a challenge's title: the indexed candidate set for similar lookups."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "challenge"], name="challenges_term_once")
        ]

    def __str__(self) -> str:
        return self.term
