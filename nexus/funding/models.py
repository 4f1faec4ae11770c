"""Bounties on challenges and sponsorships of learners and cohorts.

The money itself lives in nexus.payments' ledger: these rows say what it is for and where it
stands; every movement is a ledger entry keyed by the row ("hold:bounty:<id>", "award:bounty:<id>").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from nexus.core.models import TimeStampedModel
from nexus.payments.models import Currency, amount_field

BOUNTY_DAYS = (7, 14, 30)
BOUNTY_DEFAULT_DAYS = 14
THANK_YOU_MAX_CHARS = 280


class BountyStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", "Waiting for payment"
    OPEN = "open", "Open"
    AWARDED = "awarded", "Awarded"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled (payment failed)"


class OnExpiry(models.TextChoices):
    REFUND = "refund", "Refund me through Chapa"
    CREDIT = "credit", "Keep it as my Nexus credit"


class Bounty(TimeStampedModel):
    """Money a sponsor puts on a challenge, held until its accepted answer's author is awarded it
    or it expires and goes back to the sponsor."""

    challenge = models.ForeignKey(
        "challenges.Challenge", on_delete=models.PROTECT, related_name="bounties"
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bounties_offered"
    )
    amount = amount_field()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    status = models.CharField(
        max_length=16, choices=BountyStatus.choices, default=BountyStatus.PENDING_PAYMENT
    )
    # Why it stands as it does when that is not obvious (a refund Chapa refused).
    status_reason = models.CharField(max_length=300, blank=True)
    payment = models.OneToOneField(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bounty",
    )
    # The sponsor's choice of 7, 14 or 30 days; counted again from the payment when it arrives.
    duration_days = models.PositiveSmallIntegerField(default=BOUNTY_DEFAULT_DAYS)
    expires_at = models.DateTimeField()
    on_expiry = models.CharField(max_length=8, choices=OnExpiry.choices, default=OnExpiry.CREDIT)
    awarded_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bounties_won",
    )
    awarded_solution = models.ForeignKey(
        "challenges.Solution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bounties_won",
    )
    awarded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "bounties"
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="funding_bounty_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status=BountyStatus.AWARDED, awarded_to__isnull=False)
                | (~Q(status=BountyStatus.AWARDED) & Q(awarded_to__isnull=True)),
                name="funding_bounty_awarded_has_winner",
            ),
        ]
        indexes = [
            models.Index(fields=["challenge", "status"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["sponsor", "-created_at", "-id"]),
            models.Index(fields=["status", "-created_at", "-id"]),
            models.Index(fields=["-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"Bounty {self.pk}: {self.amount} {self.currency} on challenge {self.challenge_id}"

    def get_absolute_url(self) -> str:
        return reverse("challenges:detail", args=[self.challenge_id])


class SponsorshipKind(models.TextChoices):
    SEAT = "seat", "A seat (the programme's fee)"
    GRANT = "grant", "A grant"


class SponsorshipStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", "Waiting for payment"
    ACTIVE = "active", "Paid"
    CANCELLED = "cancelled", "Cancelled (payment failed)"


class Sponsorship(TimeStampedModel):
    """A sponsor paying for one learner (straight to their credit) or for a cohort's fund (which
    the cohort's mentors or an admin grant from to its members)."""

    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sponsorships_given"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsorships_received",
    )
    cohort = models.ForeignKey(
        "journal.Cohort",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsorships",
    )
    kind = models.CharField(
        max_length=8, choices=SponsorshipKind.choices, default=SponsorshipKind.GRANT
    )
    amount = amount_field()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    status = models.CharField(
        max_length=16,
        choices=SponsorshipStatus.choices,
        default=SponsorshipStatus.PENDING_PAYMENT,
    )
    payment = models.OneToOneField(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsorship",
    )
    thank_you = models.CharField(max_length=THANK_YOU_MAX_CHARS, blank=True)
    # False: shown as "A sponsor" wherever the sponsorship is listed.
    public = models.BooleanField(default=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="funding_sponsorship_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(learner__isnull=False, cohort__isnull=True)
                | Q(learner__isnull=True, cohort__isnull=False),
                name="funding_sponsorship_one_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "status", "-created_at"]),
            models.Index(fields=["cohort", "status", "-created_at"]),
            models.Index(fields=["sponsor", "-created_at", "-id"]),
            models.Index(fields=["status", "-created_at", "-id"]),
            models.Index(fields=["-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        target = f"learner {self.learner_id}" if self.learner_id else f"cohort {self.cohort_id}"
        return f"Sponsorship {self.pk}: {self.amount} {self.currency} for {target}"

    @property
    def sponsor_shown(self) -> str:
        """The name a thank-you list shows: the sponsor's, or "A sponsor" when they chose not."""
        return self.sponsor.display_name if self.public else "A sponsor"


class CohortGrant(TimeStampedModel):
    """Money given from a cohort's fund (what its sponsors paid in) to one of its members."""

    cohort = models.ForeignKey(
        "journal.Cohort", on_delete=models.PROTECT, related_name="fund_grants"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cohort_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cohort_grants_made"
    )
    amount = amount_field()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="funding_cohort_grant_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["cohort", "-created_at", "-id"])]
