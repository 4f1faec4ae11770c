"""One world for the permission matrix: five people, and the owner's objects of every kind.

Everything is made through the services (as the owner, or as the mentor where only a mentor
may), so the rows look like the ones users make; the few that only a handler or a task writes
(a notification, a webhook delivery, an import job) are made as those would. Private things
carry a marker word in their text: an answer that must not show them to a role is searched for
the word (`sees=` in permissions/).
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from nexus.accounts import services as accounts
from nexus.accounts.jwt import refresh_token_for
from nexus.accounts.models import ApiToken, Role, Team, User
from nexus.accounts.tokens import password_reset_tokens
from nexus.challenges import services as challenges
from nexus.challenges.models import Challenge, Solution
from nexus.collab.models import Api, EndpointFeedback, IntegrationIssue, Operation
from nexus.collab.services import catalog, consumers, feedback, issues
from nexus.core import clock
from nexus.funding.models import Bounty, BountyStatus, Sponsorship, SponsorshipStatus
from nexus.importer.models import ImportJob
from nexus.journal import selectors as journal_selectors
from nexus.journal import services as journal
from nexus.journal.models import (
    Cohort,
    CohortInvitation,
    Entry,
    MilestoneProgress,
    MilestoneStatus,
    Visibility,
)
from nexus.knowledge import services as knowledge
from nexus.knowledge.models import Article, LearningPath
from nexus.knowledge.models import Comment as ArticleComment
from nexus.mentorship.models import ArticleReviewRequest, Rubric
from nexus.mentorship.services import articles as article_reviews
from nexus.mentorship.services.rubrics import rubric_create
from nexus.notifications import services as notifications
from nexus.notifications.channels.email import ALL_EVENTS, unsubscribe_token
from nexus.notifications.models import Notification, Subscription, Webhook, WebhookDelivery
from nexus.payments.ledger import ledger_move, payout_account, wallet_account
from nexus.payments.models import EntryKind, Payment, PaymentStatus, Payout, PayoutStatus
from nexus.search import services as search
from tests.collab.conftest import PETS_V1, PETS_V2
from tests.factories import UserFactory
from tests.knowledge.factories import ensure_taxonomy
from tests.payments.payout_helpers import give_credit, give_payout_method

ROLES = ("anonymous", "owner", "other", "mentor", "admin")

# Marker words: each is in the text of one private thing of the owner's, and nowhere else.
DRAFT_ARTICLE = "zqxdraftarticle"
IN_REVIEW = "zqxinreview"  # the owner's article in review, which the mentor is asked to review
ARCHIVED = "zqxarchived"  # an article archived after it became a step of the owner's path
PRIVATE_ENTRY = "zqxprivateentry"
PAYOUT_ACCOUNT_NUMBER = "0911223344"
MENTORS_ENTRY = "zqxmentorsentry"
REFLECTION = "zqxreflection"
REPOSITORY = "zqxrepository"  # the repository of the owner's submitted milestone
RUBRIC = "zqxrubric"  # in the name of the mentor's rubric
NOTIFICATION = "zqxnotification"
SUBSCRIPTION = "zqxsubscription"
TOKEN = "zqxtoken"
WEBHOOK = "zqxwebhook"
IMPORT = "zqximport"
# A word of the draft's body to search for: answers echo the query, so it is not the marker.
DRAFT_WORD = "quokka"
API_SLUG = "pets"  # the owner's API: alerts about it reach the owner alone
TEAM_SLUG = "pet-store-team"  # the owner's team, which the owner owns
# A public address literal: outbound checks pass it without a DNS lookup, nothing connects to it.
PUBLIC_HOST = "93.184.215.14"


@dataclass
class World:
    users: dict[str, User]  # by role; the anonymous visitor is nobody
    article: Article  # published, flagged "may be outdated", with a comment of the owner's
    article_comment: ArticleComment
    draft: Article
    archived: Article
    path: LearningPath
    challenge: Challenge
    older_challenge: Challenge  # what the challenge may be marked a duplicate of
    solution: Solution  # the owner's answer to their own challenge, flagged
    entry_private: Entry
    entry_mentors: Entry
    cohort: Cohort  # the mentor's, with the owner in it
    invitation: CohortInvitation  # an open invite link to the cohort, made by the mentor
    progress: MilestoneProgress  # submitted for review
    rubric: Rubric  # the mentor's, on no milestone
    review: ArticleReviewRequest  # the owner's article in review, the mentor asked
    api: Api  # the owner's team's, with two spec versions
    operation: Operation
    feedback: EndpointFeedback
    issue: IntegrationIssue
    token: ApiToken
    webhook: Webhook
    delivery: WebhookDelivery
    subscription: Subscription
    notification: Notification
    job: ImportJob
    refresh: str  # the owner's JWT refresh token
    # URL keyword arguments by subject name; a route takes the ones its pattern names. A value
    # may be a function of the world, called when the URL is made.
    subjects: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Text no answer may show but to the roles named.
    secrets: dict[str, frozenset[str]] = field(default_factory=dict)


def build_world() -> World:
    """The people and the owner's objects; call it in a transaction that is rolled back."""
    ensure_taxonomy()
    users = {
        "owner": UserFactory(display_name="Olivia Owner"),
        "other": UserFactory(display_name="Oscar Other"),
        "mentor": UserFactory(display_name="Maya Mentor", role=Role.MENTOR),
        "admin": UserFactory(
            display_name="Ada Admin", role=Role.ADMIN, is_staff=True, is_superuser=True
        ),
    }
    owner = users["owner"]
    # A member of the owner's team who is none of the five roles: the one a team owner removes.
    teammate = UserFactory(display_name="Tom Teammate")
    team = accounts.team_create(creator=owner, name="Pet Store Team")
    assert team.slug == TEAM_SLUG
    accounts.team_member_set(actor=owner, team=team, user=teammate, role="backend")
    world = World(
        users=users,
        **_knowledge(owner),
        **_challenges(owner),
        **_journal(owner, users["mentor"]),
        review=_article_review(owner),
        **_collab(owner, team),
        **_notifications(owner),
        job=ImportJob.objects.create(owner=owner, source_kind="file", source=f"{IMPORT}.md"),
        refresh=str(refresh_token_for(owner)),
    )
    search.index_rebuild()
    world.subjects = _subjects(world, team, teammate)
    world.subjects["payout"] = _payouts(users)
    world.secrets = {
        owner.email: frozenset({"owner", "admin"}),
        owner.password: frozenset(),
        world.webhook.secret: frozenset(),
        PAYOUT_ACCOUNT_NUMBER: frozenset(),  # shown masked, to its owner alone
    }
    return world


def _payouts(users: dict[str, User]) -> dict[str, Any]:
    """Credit and a payout method for everyone (any of them may ask for a payout), and the
    owner's big payout waiting for an admin, made as payout_request makes them."""
    for role, user in users.items():
        give_credit(user, "5000.00", key=f"charge:matrix-{role}")
        give_payout_method(user, number=PAYOUT_ACCOUNT_NUMBER)
    payout = Payout.objects.create(
        reference="po-matrix",
        user=users["owner"],
        amount=Decimal("1500.00"),
        currency="ETB",
        status=PayoutStatus.AWAITING_APPROVAL,
        bank_code="951",
        account_name="Olivia Owner",
        account_number=PAYOUT_ACCOUNT_NUMBER,
    )
    with transaction.atomic():
        ledger_move(
            kind=EntryKind.PAYOUT,
            source=wallet_account(users["owner"], currency="ETB"),
            destination=payout_account(payout),
            amount=payout.amount,
            key=f"payout:{payout.pk}",
            payout=payout,
        )
    return {"pk": payout.pk, "payout_id": payout.pk}


def _knowledge(owner: User) -> dict[str, Any]:
    article = knowledge.article_create(
        author=owner,
        title="Caching with Redis",
        body="# Why cache\n\nKeep hot data in memory.",
        summary="How and when to cache.",
        technologies=["redis"],
        tags=["performance"],
        status="published",
    )
    article = knowledge.article_update(
        article=article, editor=owner, expected_version=article.version, body="Revised body."
    )
    knowledge.article_flag_outdated(article=article, reason="GET /pets changed.")
    archived = knowledge.article_create(
        author=owner, title=f"Retracted {ARCHIVED}", body="Wrong advice.", status="published"
    )
    path = knowledge.learning_path_create(
        author=owner, title="Caching path", articles=[article.slug, archived.slug]
    )
    knowledge.article_archive(article=archived, editor=owner)
    return {
        "article": article,
        "article_comment": knowledge.comment_create(article=article, author=owner, body="First!"),
        "draft": knowledge.article_create(
            author=owner, title=f"Draft {DRAFT_ARTICLE}", body=f"About the {DRAFT_WORD}."
        ),
        "archived": archived,
        "path": path,
    }


def _article_review(owner: User) -> ArticleReviewRequest:
    """Made after the journal's cohort: the owner's mentor is the default reviewer."""
    article = knowledge.article_create(
        author=owner, title=f"Review me {IN_REVIEW}", body="# Title\n\nFirst line.\nSecond line."
    )
    return article_reviews.review_request(actor=owner, article=article)


def _challenges(owner: User) -> dict[str, Any]:
    older = challenges.challenge_create(
        author=owner, title="Checker says exit 1 on a clean repository", body="Since Monday."
    )
    challenge = challenges.challenge_create(
        author=owner, title="Checker fails although it runs locally", body="Exit 1 on the checker."
    )
    solution = challenges.solution_create(
        challenge=challenge, author=owner, body="Pin the Python version."
    )
    challenges.solution_flag_outdated(solution=solution, reason="GET /pets changed.")
    return {"challenge": challenge, "older_challenge": older, "solution": solution}


def _journal(owner: User, mentor: User) -> dict[str, Any]:
    today = clock.today()
    journal.reflection_save(author=owner, month=today.replace(day=1), went_well=REFLECTION)
    cohort = journal.cohort_create(
        actor=mentor,
        program=journal_selectors.default_program(),
        name="Matrix cohort",
        start_date=today - timedelta(days=60),
        mentors=[mentor],
    )
    journal.cohort_add_learner(actor=mentor, cohort=cohort, learner=owner)
    invitation = journal.invitation_create(cohort=cohort, actor=mentor)
    progress = MilestoneProgress.objects.filter(learner=owner).order_by("id").first()
    assert progress is not None
    return {
        "entry_private": journal.entry_create(
            author=owner, date=today, body=f"Private {PRIVATE_ENTRY}", visibility=Visibility.PRIVATE
        ),
        "entry_mentors": journal.entry_create(
            author=owner, date=today, body=f"Mentors {MENTORS_ENTRY}", visibility=Visibility.MENTORS
        ),
        "cohort": cohort,
        "invitation": invitation,
        "rubric": rubric_create(
            actor=mentor,
            name=f"Matrix {RUBRIC}",
            criteria=[{"name": "Correctness", "scale": 3, "levels": ["No", "Mostly", "Yes"]}],
        ),
        "progress": journal.progress_update(
            progress=progress,
            actor=owner,
            status=MilestoneStatus.SUBMITTED,
            repository_url=f"https://github.com/olivia/{REPOSITORY}",
        ),
    }


def _collab(owner: User, team: Team) -> dict[str, Any]:
    api = catalog.api_create(actor=owner, name=API_SLUG.title(), team=team)
    catalog.spec_version_create(api=api, raw=PETS_V1, source="paste", actor=owner)
    consumers.consumer_declare(api=api, actor=owner)
    version, _ = catalog.spec_version_create(api=api, raw=PETS_V2, source="paste", actor=owner)
    consumers.alert_consumers(version=version, changes=list(version.changes.all()))
    operation = Operation.objects.filter(version=version).order_by("id").first()
    assert operation is not None
    return {
        "api": api,
        "operation": operation,
        "feedback": feedback.feedback_submit(author=owner, operation=operation, naming=4),
        "issue": issues.issue_create(
            reporter=owner, api=api, title="listPets ignores limit", operation_key=operation.key
        ),
    }


def _notifications(owner: User) -> dict[str, Any]:
    webhook, _secret = notifications.webhook_create(
        actor=owner, url=f"https://{PUBLIC_HOST}/{WEBHOOK}", events=["article.published"]
    )
    return {
        "token": accounts.api_token_create(user=owner, name=f"CI {TOKEN}")[0],
        "webhook": webhook,
        "delivery": WebhookDelivery.objects.create(
            webhook=webhook, event_id=uuid.uuid4(), event_name="article.published"
        ),
        "subscription": notifications.subscription_create(
            user=owner, target_type="challenges.tag", target_id=SUBSCRIPTION
        ),
        "notification": Notification.objects.create(
            recipient=owner, event_id=uuid.uuid4(), event_name="mention", title=NOTIFICATION
        ),
    }


def _attachment(owner: User) -> dict[str, Any]:
    upload = SimpleUploadedFile("notes.txt", b"Keep hot data in memory.\n")
    attachment = knowledge.attachment_create(owner=owner, upload=upload)
    return {"key": attachment.key, "name": attachment.name}


def _funding(world: World) -> dict[str, Any]:
    """An open bounty of the mentor's on the owner's challenge, and the mentor's paid
    sponsorship of the owner (rows as funding leaves them once paid)."""
    mentor = world.users["mentor"]
    bounty = Bounty.objects.create(
        challenge=world.challenge,
        sponsor=mentor,
        amount=Decimal("50.00"),
        currency="ETB",
        status=BountyStatus.OPEN,
        expires_at=clock.now() + timedelta(days=14),
    )
    sponsorship = Sponsorship.objects.create(
        sponsor=mentor,
        learner=world.users["owner"],
        amount=Decimal("20.00"),
        currency="ETB",
        status=SponsorshipStatus.ACTIVE,
    )
    return {"bounty": {"pk": bounty.pk}, "sponsorship": {"pk": sponsorship.pk}}


def _payment(owner: User) -> Payment:
    """A paid one: its receipt page asks Chapa nothing."""
    return Payment.objects.create(
        tx_ref="nx-matrix",
        payer=owner,
        amount=Decimal("10.00"),
        currency="ETB",
        purpose="matrix",
        purpose_id="1",
        status=PaymentStatus.SUCCEEDED,
    )


def _subjects(world: World, team: Team, teammate: User) -> dict[str, dict[str, Any]]:
    owner = world.users["owner"]
    article, version = world.article, world.api.latest_version
    assert version is not None
    return {
        "article": {"slug": article.slug, "number": 1, "comment_id": world.article_comment.pk},
        "attachment": _attachment(owner),
        "draft": {"slug": world.draft.slug, "number": 1},
        "archived": {"slug": world.archived.slug},
        "path": {"slug": world.path.slug, "article_slug": article.slug},
        "technology": {"slug": "redis"},
        "challenge": {"pk": world.challenge.pk, "challenge_id": world.challenge.pk},
        "solution": {"pk": world.solution.pk, "solution_id": world.solution.pk},
        "owner": {"pk": owner.pk, "user_id": owner.pk},
        "entry_private": {"pk": world.entry_private.pk, "entry_id": world.entry_private.pk},
        "entry_mentors": {"pk": world.entry_mentors.pk, "entry_id": world.entry_mentors.pk},
        "month": {"month": f"{clock.today():%Y-%m}"},
        "progress": {"pk": world.progress.pk, "progress_id": world.progress.pk},
        "review": {"slug": world.review.article.slug, "request_id": world.review.pk},
        "cohort": {"cohort_id": world.cohort.pk, "chart": "milestones"},
        "cohort_member": {"cohort_id": world.cohort.pk, "user_id": owner.pk},
        "cohort_invitation": {"cohort_id": world.cohort.pk, "invitation_id": world.invitation.pk},
        "invitation": {"token": world.invitation.token},
        "cohort_rubrics": {"cohort_id": world.cohort.pk, "chart": "rubric-scores"},
        "rubric": {"pk": world.rubric.pk, "rubric_id": world.rubric.pk},
        "milestone": {"pk": world.progress.milestone_id},
        "program": {"slug": world.cohort.program.slug},
        "me_chart": {"learner": "me", "chart": "activity"},
        "owner_chart": {"learner": owner.pk, "chart": "activity"},
        "program_chart": {"chart": "weekly-active-users"},
        "team": {"slug": team.slug},
        "teammate": {"slug": team.slug, "user_id": teammate.pk},
        "reset": {
            "uidb64": urlsafe_base64_encode(force_bytes(owner.pk)),
            # Made when asked: logging in changes what a reset token is made of.
            "token": lambda world: password_reset_tokens.make_token(world.users["owner"]),
        },
        "unsubscribe": {"token": unsubscribe_token(owner.pk, ALL_EVENTS)},
        "api": {
            "slug": world.api.slug,
            "number": version.number,
            "version": version.number,
            "operation_id": world.operation.pk,
            "pk": world.operation.pk,
            "path": "pets",
        },
        # The mock's second route is reached only with a version neither a number nor "latest".
        "mock_unknown_version": {"slug": world.api.slug, "version": "v2"},
        "feedback": {"pk": world.feedback.pk},
        "payment": {"tx_ref": _payment(owner).tx_ref},
        **_funding(world),
        "issue": {"pk": world.issue.pk},
        "token": {"pk": world.token.pk, "token_id": world.token.pk},
        "webhook": {
            "pk": world.webhook.pk,
            "webhook_id": world.webhook.pk,
            "delivery_id": world.delivery.pk,
        },
        "subscription": {"pk": world.subscription.pk},
        "notification": {"pk": world.notification.pk, "notification_id": world.notification.pk},
        "job": {"pk": world.job.pk},
    }
