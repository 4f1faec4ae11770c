"""The signed-in home: what to do next, read through the selectors of the apps that own the data.

Each section is one bounded read, so the page costs the same few queries however much a user has
written, follows or is notified of.
"""

from dataclasses import dataclass

from django.urls import reverse

from nexus.accounts.models import User
from nexus.challenges import selectors as challenge_selectors
from nexus.challenges.models import Challenge
from nexus.importer import selectors as importer_selectors
from nexus.journal import selectors as journal_selectors
from nexus.journal.models import Cohort, MilestoneProgress
from nexus.knowledge import selectors as knowledge_selectors
from nexus.notifications import selectors as notification_selectors
from nexus.notifications.models import Notification

NEWS_LIMIT = 10
OPEN_CHALLENGES_LIMIT = 5


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    url: str
    action: str


@dataclass(frozen=True)
class MemberHome:
    news: list[Notification]
    open_challenges: list[Challenge]
    next_milestone: MilestoneProgress | None
    cohort: Cohort | None
    checklist: list[ChecklistItem]

    @property
    def checklist_done(self) -> int:
        return sum(item.done for item in self.checklist)

    @property
    def show_checklist(self) -> bool:
        """The checklist steps aside once every item is done."""
        return self.checklist_done < len(self.checklist)


def news_for(*, user: User) -> list[Notification]:
    """The newest notifications from what the user follows, bounded."""
    return list(notification_selectors.notification_list(user=user)[:NEWS_LIMIT])


def getting_started(*, user: User, cohort: Cohort | None) -> list[ChecklistItem]:
    """The first steps, each marked done from the user's own data."""
    wrote_something = knowledge_selectors.has_written_article(
        author=user
    ) or challenge_selectors.has_posted_challenge(author=user)
    return [
        ChecklistItem(
            key="profile",
            label="Fill in your profile: your name and a short bio",
            done=bool(user.display_name.strip() and user.bio.strip()),
            url=reverse("accounts:profile"),
            action="Edit your profile",
        ),
        ChecklistItem(
            key="first-post",
            label="Write your first article or ask your first challenge",
            done=wrote_something,
            url=reverse("knowledge:article_create"),
            action="Write an article",
        ),
        ChecklistItem(
            key="import",
            label="Import your learning journal",
            done=importer_selectors.has_imported(owner=user),
            url=reverse("importer:jobs"),
            action="Import a journal",
        ),
        ChecklistItem(
            key="cohort",
            label="Join a cohort (ask your mentor for an invitation link)",
            done=cohort is not None,
            url=reverse("journal:milestones"),
            action="See your milestones",
        ),
    ]


def member_home(*, user: User) -> MemberHome:
    """Everything the signed-in home shows, each section bounded."""
    cohort = journal_selectors.cohort_of(learner=user)
    return MemberHome(
        news=news_for(user=user),
        open_challenges=challenge_selectors.open_challenges_of(
            author=user, limit=OPEN_CHALLENGES_LIMIT
        ),
        next_milestone=journal_selectors.next_milestone(learner=user),
        cohort=cohort,
        checklist=getting_started(user=user, cohort=cohort),
    )
