"""The event types people can be notified about, with their labels and default e-mail frequency.

Events not listed here still notify their recipients in the app (labelled by their name); the
registry decides what shows in the preferences page and how often e-mail goes out by default.
"""

from dataclasses import dataclass

from django.db import models


class Frequency(models.TextChoices):
    INSTANT = "instant", "Instantly"
    DAILY = "daily", "In a daily digest"
    WEEKLY = "weekly", "In a weekly digest"
    NEVER = "never", "Never"


@dataclass(frozen=True)
class EventType:
    name: str
    label: str
    default_frequency: str = Frequency.DAILY


EVENT_TYPES: dict[str, EventType] = {
    event.name: event
    for event in [
        EventType("article.published", "New articles in what you follow"),
        EventType("article.updated", "Updates to articles you follow", Frequency.WEEKLY),
        EventType("article.commented", "Comments on articles you follow"),
        EventType("challenge.created", "New challenges in what you follow"),
        EventType("challenge.answered", "Answers to challenges you follow", Frequency.INSTANT),
        EventType("solution.accepted", "Accepted solutions", Frequency.INSTANT),
        EventType("api.breaking_change", "Breaking changes in APIs you consume", Frequency.INSTANT),
        EventType("integration_issue.created", "New integration issues"),
        EventType("integration_issue.status_changed", "Integration issue status changes"),
        EventType(
            "integration_issue.assigned", "Integration issues assigned to you", Frequency.INSTANT
        ),
        EventType("feedback.replied", "Replies to your feedback", Frequency.INSTANT),
        EventType("milestone.due", "Milestones coming due"),
        EventType("cohort.invited", "Invitations to cohorts you mentor"),
        EventType("cohort.joined", "Learners joining cohorts you mentor", Frequency.INSTANT),
        EventType("milestone.overdue", "Milestones past their due date", Frequency.INSTANT),
        EventType("milestone.submitted", "Milestones your learners submit", Frequency.INSTANT),
        EventType("milestone.reviewed", "Your milestones approved", Frequency.INSTANT),
        EventType(
            "milestone.changes_requested", "Changes asked for on your milestones", Frequency.INSTANT
        ),
        EventType("review.requested", "Articles you are asked to review", Frequency.INSTANT),
        EventType("article.review_completed", "Reviews of articles decided", Frequency.INSTANT),
        EventType("journal.reflection_reminder", "Monthly reflection reminder"),
        EventType("mention", "Mentions of you", Frequency.INSTANT),
        EventType("webhook.disabled", "Your webhooks being disabled", Frequency.INSTANT),
        EventType("article.outdated", "Articles of yours a breaking API change may have outdated"),
        EventType(
            "solution.outdated", "Solutions of yours a breaking API change may have outdated"
        ),
        EventType("payment.receipt", "Receipts for your payments", Frequency.INSTANT),
        EventType("payout.paid", "Your payouts sent", Frequency.INSTANT),
        EventType("payout.returned", "Your payouts returned to your credit", Frequency.INSTANT),
        EventType("bounty.awarded", "Bounties you won or offered being awarded", Frequency.INSTANT),
        EventType("bounty.expired", "Your bounties expiring unawarded", Frequency.INSTANT),
        EventType("sponsorship.received", "Sponsorships of you", Frequency.INSTANT),
    ]
}


def default_frequency(event_name: str) -> str:
    """How often a user hears about an event by e-mail when they have not said otherwise."""
    event = EVENT_TYPES.get(event_name)
    return event.default_frequency if event else Frequency.NEVER


def label_for(event_name: str) -> str:
    event = EVENT_TYPES.get(event_name)
    return event.label if event else event_name
