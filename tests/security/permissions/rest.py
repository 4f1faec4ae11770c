"""The REST API: every route under /api/v1/, method by method, and who may call it.

A refusal is 401, 403 or 404 (what one may not see does not exist). Writes of the allowed roles
carry `If-Match: *`; refused roles send none, as the refusal must come before the precondition
check (a 428 or a 412 is for those who may edit).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from nexus.accounts.tokens import password_reset_tokens
from tests.factories import DEFAULT_PASSWORD
from tests.security import world as w
from tests.security.permissions.roles import (
    ADMIN,
    ANYONE,
    MODERATORS,
    NEW_PASSWORD,
    NEW_SPEC,
    NOT_THE_AUTHOR,
    OWNER,
    OWNER_OR_ADMIN,
    OWNER_OR_MODERATOR,
    SIGNED_IN,
    rest,
    today,
)

ACCOUNTS = [
    *rest("GET", "api-root", ANYONE),
    *rest(
        "POST",
        "auth-register",
        ANYONE,
        body={"email": "newcomer@example.com", "password": NEW_PASSWORD, "display_name": "New"},
    ),
    # Credentials, not roles, decide these: whoever holds the owner's password gets a token.
    *rest(
        "POST",
        "auth-token",
        ANYONE,
        body=lambda world: {"email": world.users["owner"].email, "password": DEFAULT_PASSWORD},
    ),
    *rest(
        "POST",
        "auth-token-refresh",
        ANYONE,
        body=lambda world: {"refresh": world.refresh},
        writes=False,
    ),
    *rest(
        "POST",
        "auth-token-verify",
        ANYONE,
        body=lambda world: {"token": world.refresh},
        writes=False,
    ),
    *rest("POST", "auth-reset", ANYONE, body={"email": "nobody@example.com"}, writes=False),
    # Whoever holds a refresh token may give it back (logging out); its holder, not a role, decides.
    *rest("POST", "auth-token-blacklist", ANYONE, body=lambda world: {"refresh": world.refresh}),
    # Only the e-mailed link and the sign-up password activate a pending account: a made-up link
    # is refused on its token, whoever sends it.
    *rest(
        "POST",
        "auth-register-confirm",
        frozenset(),
        body={"uid": "MQ", "token": "made-up", "password": NEW_PASSWORD},
        refused_field="token",
    ),
    *rest("POST", "me-log-out-everywhere", SIGNED_IN),
    *rest(
        "POST",
        "auth-reset-confirm",
        ANYONE,
        body=lambda world: {
            "uid": world.subjects["reset"]["uidb64"],
            "token": password_reset_tokens.make_token(world.users["owner"]),
            "new_password": NEW_PASSWORD,
        },
    ),
    *rest("GET", "me", SIGNED_IN),
    *rest("PATCH", "me", SIGNED_IN, body={"bio": "Changed."}),
    *rest(
        "POST",
        "me-password",
        SIGNED_IN,
        body={"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
    ),
    *rest("GET", "me-token-list", SIGNED_IN, marker=w.TOKEN, sees=OWNER),
    *rest("POST", "me-token-list", SIGNED_IN, body={"name": "laptop"}),
    *rest("DELETE", "me-token-detail", OWNER, on="token"),
    *rest("GET", "user-list", ANYONE),
    *rest("GET", "user-detail", ANYONE, on="owner"),
    *rest("GET", "team-list", ANYONE),
    *rest("POST", "team-list", SIGNED_IN, body={"name": "Another team"}),
    *rest("GET", "team-detail", ANYONE, on="team"),
    *rest("PATCH", "team-detail", OWNER_OR_ADMIN, on="team", body={"description": "Pets."}),
    *rest(
        "POST",
        "team-add-member",
        OWNER_OR_ADMIN,
        on="team",
        body=lambda world: {"user": world.users["other"].pk, "role": "frontend"},
    ),
    *rest("DELETE", "team-remove-member", OWNER_OR_ADMIN, on="teammate"),
]

IMPORTS = [
    *rest("GET", "import-list", SIGNED_IN, marker=w.IMPORT, sees=OWNER_OR_ADMIN),
    *rest(
        "POST",
        "import-list",
        SIGNED_IN,
        multipart=True,
        body=lambda world: {"file": SimpleUploadedFile("notes.md", b"# Notes\n\nText.\n")},
    ),
    *rest("GET", "import-detail", OWNER_OR_ADMIN, on="job"),
]

# Drafts are found by their author and by moderators only.
DRAFT = {"marker": w.DRAFT_ARTICLE, "sees": OWNER_OR_MODERATOR}
SEARCH = [
    *rest("GET", "search", ANYONE, query={"q": w.DRAFT_WORD}, **DRAFT),
    *rest("GET", "search-autocomplete", ANYONE, query={"q": "draft"}, **DRAFT),
    *rest("GET", "search-similar", ANYONE, query={"text": w.DRAFT_WORD}, **DRAFT),
]

COLLAB = [
    *rest("GET", "api-list", ANYONE),
    *rest("POST", "api-list", SIGNED_IN, body={"name": "Orders"}),
    # For a team: its members and admins.
    *rest(
        "POST",
        "api-list",
        OWNER_OR_ADMIN,
        body={"name": "Orders", "team": w.TEAM_SLUG},
        refused_field="team",
    ),
    *rest("GET", "api-detail", ANYONE, on="api"),
    # The owning team's members (the owner) and admins maintain an API; mentors do not.
    *rest("PATCH", "api-detail", OWNER_OR_ADMIN, on="api", body={"description": "Changed."}),
    *rest("GET", "api-changes", ANYONE, on="api"),
    *rest("GET", "api-compare", ANYONE, on="api", query={"from": 1, "to": 2, "breaking": 1}),
    *rest("GET", "api-consumers", ANYONE, on="api"),
    *rest("POST", "api-consumers", SIGNED_IN, on="api", body={}),
    *rest(
        "POST",
        "api-consumers",
        OWNER_OR_ADMIN,
        on="api",
        body={"team": w.TEAM_SLUG},
        refused_field="team",
    ),
    *rest("GET", "api-operation", ANYONE, on="api"),
    *rest("GET", "api-operations", ANYONE, on="api"),
    *rest("GET", "api-version", ANYONE, on="api"),
    *rest("GET", "api-versions", ANYONE, on="api"),
    *rest("POST", "api-versions", OWNER_OR_ADMIN, on="api", body={"spec": NEW_SPEC}),
    *rest("GET", "api-alert-list", SIGNED_IN, marker=w.API_SLUG, sees=OWNER),
    *rest("GET", "feedback-list", ANYONE),
    *rest(
        "POST",
        "feedback-list",
        SIGNED_IN,
        body=lambda world: {"operation": world.operation.pk, "naming": 3},
    ),
    *rest("GET", "feedback-summary", ANYONE, query={"api": w.API_SLUG}),
    *rest("GET", "feedback-detail", ANYONE, on="feedback"),
    *rest("POST", "feedback-reply", OWNER_OR_ADMIN, on="feedback", body={"reply": "Thanks."}),
    *rest("GET", "integration-issue-list", ANYONE),
    *rest(
        "POST",
        "integration-issue-list",
        SIGNED_IN,
        body={"title": "Pagination is off by one", "api": w.API_SLUG},
    ),
    *rest("GET", "integration-issue-detail", ANYONE, on="issue"),
    # Title and body: the reporter or whoever triages (the API's maintainers, mentors, admins).
    *rest(
        "PATCH", "integration-issue-detail", OWNER_OR_MODERATOR, on="issue", body={"title": "New"}
    ),
    *rest("GET", "integration-issue-comments", ANYONE, on="issue"),
    *rest("POST", "integration-issue-comments", SIGNED_IN, on="issue", body={"body": "Same here."}),
    *rest("GET", "integration-issue-history", ANYONE, on="issue"),
    # The reporter already watches: watching again stores nothing, and nobody else watches.
    *rest("POST", "integration-issue-watch", SIGNED_IN, on="issue", writes=SIGNED_IN - OWNER),
    *rest("DELETE", "integration-issue-watch", SIGNED_IN, on="issue", writes=OWNER),
]

KNOWLEDGE = [
    *rest("GET", "technology-list", ANYONE),
    *rest(
        "POST",
        "technology-list",
        MODERATORS,
        body={"name": "Matrixdb", "category": "devops", "description": "A database."},
    ),
    *rest("GET", "technology-detail", ANYONE, on="technology"),
    *rest("PATCH", "technology-detail", MODERATORS, on="technology", body={"description": "Fast."}),
    *rest("GET", "article-list", ANYONE),
    *rest(
        "GET",
        "article-list",
        ANYONE,
        query={"status": "draft"},
        marker=w.DRAFT_ARTICLE,
        sees=OWNER_OR_MODERATOR,
    ),
    *rest("POST", "article-list", SIGNED_IN, body={"title": "Queues", "body": "Use them."}),
    *rest("GET", "article-detail", ANYONE, on="article"),
    *rest("GET", "article-detail", OWNER_OR_MODERATOR, on="draft"),
    *rest("GET", "article-detail", OWNER_OR_MODERATOR, on="archived"),
    *rest(
        "PUT",
        "article-detail",
        OWNER_OR_MODERATOR,
        on="article",
        body={"title": "Caching, revised", "body": "New body.", "summary": "Cache."},
    ),
    *rest("PATCH", "article-detail", OWNER_OR_MODERATOR, on="article", body={"body": "Edited."}),
    *rest("PATCH", "article-detail", OWNER_OR_MODERATOR, on="draft", body={"body": "Edited."}),
    *rest("DELETE", "article-detail", OWNER_OR_MODERATOR, on="article"),
    *rest("GET", "article-bookmark", SIGNED_IN, on="article"),
    *rest("GET", "article-bookmark", OWNER_OR_MODERATOR, on="draft"),
    *rest("PUT", "article-bookmark", SIGNED_IN, on="article"),
    *rest("PUT", "article-bookmark", OWNER_OR_MODERATOR, on="draft"),
    *rest("DELETE", "article-bookmark", SIGNED_IN, on="article", writes=False),
    # Only the author edits a comment; the author or a moderator removes it.
    *rest("PATCH", "article-comment", OWNER, on="article", body={"body": "Edited comment."}),
    *rest("DELETE", "article-comment", OWNER_OR_MODERATOR, on="article"),
    *rest("GET", "article-comments", ANYONE, on="article"),
    *rest("GET", "article-comments", OWNER_OR_MODERATOR, on="draft"),
    *rest("POST", "article-comments", SIGNED_IN, on="article", body={"body": "Useful."}),
    *rest("GET", "article-diff", ANYONE, on="article", query={"from": "1", "to": "2"}),
    *rest("GET", "article-diff", OWNER_OR_MODERATOR, on="draft", query={"from": "1", "to": "1"}),
    *rest("GET", "article-reactions", ANYONE, on="article"),
    *rest("GET", "article-reactions", OWNER_OR_MODERATOR, on="draft"),
    *rest("POST", "article-reactions", SIGNED_IN, on="article", body={"kind": "helpful"}),
    *rest("DELETE", "article-reactions", SIGNED_IN, on="article", writes=False),
    *rest("POST", "article-revert", OWNER_OR_MODERATOR, on="article", body={"revision": 1}),
    *rest("POST", "article-review", OWNER_OR_MODERATOR, on="article"),
    *rest("GET", "article-revision", ANYONE, on="article"),
    *rest("GET", "article-revision", OWNER_OR_MODERATOR, on="draft"),
    *rest("GET", "article-revisions", ANYONE, on="article"),
    *rest("GET", "article-revisions", OWNER_OR_MODERATOR, on="draft"),
    *rest("GET", "bookmark-list", SIGNED_IN),
    *rest("GET", "path-list", ANYONE),
    *rest(
        "POST",
        "path-list",
        SIGNED_IN,
        body=lambda world: {"title": "Another path", "articles": [world.article.slug]},
    ),
    # A step whose article was archived since is shown only to whom may see the article.
    *rest("GET", "path-detail", ANYONE, on="path", marker=w.ARCHIVED, sees=OWNER_OR_MODERATOR),
    *rest("PATCH", "path-detail", OWNER_OR_MODERATOR, on="path", body={"description": "New."}),
    *rest(
        "POST",
        "path-progress",
        SIGNED_IN,
        on="path",
        body=lambda world: {"article": world.article.slug, "done": True},
    ),
]

CHALLENGES = [
    *rest("GET", "challenge-list", ANYONE),
    *rest("POST", "challenge-list", SIGNED_IN, body={"title": "Tests hang", "body": "On CI."}),
    *rest("GET", "challenge-leaderboard", ANYONE),
    *rest("GET", "challenge-similar", ANYONE, query={"q": "checker"}),
    *rest("GET", "challenge-detail", ANYONE, on="challenge"),
    *rest(
        "PATCH",
        "challenge-detail",
        OWNER_OR_MODERATOR,
        on="challenge",
        body={"title": "Renamed: the checker fails"},
    ),
    # Only mentors and admins decide that two challenges are the same.
    *rest(
        "PATCH",
        "challenge-detail",
        MODERATORS,
        on="challenge",
        body=lambda world: {"duplicate_of": world.older_challenge.pk},
        if_match_for=OWNER_OR_MODERATOR,  # the author edits the challenge, if not this
    ),
    *rest("GET", "challenge-comments", ANYONE, on="challenge"),
    *rest("POST", "challenge-comments", SIGNED_IN, on="challenge", body={"body": "Which OS?"}),
    *rest("GET", "challenge-solutions", ANYONE, on="challenge"),
    *rest("POST", "challenge-solutions", SIGNED_IN, on="challenge", body={"body": "Try this."}),
    *rest("POST", "challenge-vote", NOT_THE_AUTHOR, on="challenge", body={"value": 1}),
    *rest("GET", "solution-list", ANYONE),
    *rest("GET", "solution-detail", ANYONE, on="solution"),
    *rest("PATCH", "solution-detail", OWNER_OR_MODERATOR, on="solution", body={"body": "Better."}),
    # The challenge's author or a moderator accepts; taking back one never accepted stores nothing.
    *rest("POST", "solution-accept", OWNER_OR_MODERATOR, on="solution"),
    *rest("DELETE", "solution-accept", OWNER_OR_MODERATOR, on="solution", writes=False),
    *rest("GET", "solution-comments", ANYONE, on="solution"),
    *rest("POST", "solution-comments", SIGNED_IN, on="solution", body={"body": "Thanks!"}),
    *rest("POST", "solution-review", OWNER_OR_MODERATOR, on="solution"),
    *rest("POST", "solution-vote", NOT_THE_AUTHOR, on="solution", body={"value": 1}),
]

JOURNAL = [
    *rest("GET", "journal-evidence", SIGNED_IN),
    *rest("GET", "analytics-learner", SIGNED_IN, on="me_chart"),
    *rest("GET", "analytics-learner", OWNER_OR_MODERATOR, on="owner_chart"),
    *rest("GET", "analytics-cohort", MODERATORS, on="cohort"),
    *rest("GET", "analytics-program", ADMIN, on="program_chart"),
    # Private entries: their author only; "mentors" entries: the author, mentors and admins.
    *rest("GET", "journal-entry-list", ANYONE, marker=w.PRIVATE_ENTRY, sees=OWNER),
    *rest("GET", "journal-entry-list", ANYONE, marker=w.MENTORS_ENTRY, sees=OWNER_OR_MODERATOR),
    *rest(
        "POST",
        "journal-entry-list",
        SIGNED_IN,
        body=lambda world: {"date": today(), "body": "Learnt about caching."},
    ),
    *rest("GET", "journal-entry-detail", OWNER, on="entry_private"),
    *rest("GET", "journal-entry-detail", OWNER_OR_MODERATOR, on="entry_mentors"),
    # Mentors and admins read a learner's worklog; they never rewrite it.
    *rest("PATCH", "journal-entry-detail", OWNER, on="entry_mentors", body={"body": "Rewritten."}),
    *rest("DELETE", "journal-entry-detail", OWNER, on="entry_mentors"),
    *rest("GET", "journal-reflection-list", ANYONE, marker=w.REFLECTION, sees=OWNER),
    *rest(
        "POST",
        "journal-reflection-list",
        SIGNED_IN,
        body=lambda world: {"month": today()[:7], "went_well": "Shipping."},
    ),
    *rest("GET", "program-list", ANYONE),
    *rest("GET", "program-detail", ANYONE, on="program"),
    *rest("PATCH", "program-detail", MODERATORS, on="program", body={"description": "Changed."}),
    *rest("GET", "milestone-list", SIGNED_IN, marker=w.REPOSITORY, sees=OWNER_OR_MODERATOR),
    *rest("GET", "milestone-detail", OWNER_OR_MODERATOR, on="progress"),
    *rest("PATCH", "milestone-detail", OWNER, on="progress", body={"note": "Almost there."}),
    *rest(
        "POST",
        "milestone-review",
        MODERATORS,
        on="progress",
        body={"decision": "approve", "comment": "Well done."},
    ),
]

# The world's cohort is the mentor's, with the owner in it; the other user is in none.
COHORTS = [
    *rest("GET", "cohort-list", SIGNED_IN),
    *rest(
        "POST",
        "cohort-list",
        MODERATORS,
        body=lambda world: {"name": "Matrix spring", "start_date": today()},
    ),
    *rest("GET", "cohort-detail", OWNER_OR_MODERATOR, on="cohort"),
    *rest("PATCH", "cohort-detail", MODERATORS, on="cohort", body={"description": "Changed."}),
    *rest("GET", "cohort-mentors", OWNER_OR_MODERATOR, on="cohort"),
    *rest(
        "PUT",
        "cohort-mentors",
        MODERATORS,
        on="cohort",
        body=lambda world: {"mentors": [world.users["mentor"].pk]},
        writes=frozenset({"admin"}),
    ),
    *rest("GET", "cohort-members", MODERATORS, on="cohort"),
    *rest(
        "POST",
        "cohort-members",
        MODERATORS,
        on="cohort",
        body=lambda world: {"user": world.users["other"].pk},
    ),
    *rest(
        "PUT",
        "cohort-member",
        MODERATORS,
        on="cohort_member",
        body=lambda world: {"mentors": [world.users["mentor"].pk]},
    ),
    *rest("DELETE", "cohort-member", MODERATORS, on="cohort_member"),
    *rest("GET", "cohort-invitations", MODERATORS, on="cohort"),
    *rest("POST", "cohort-invitations", MODERATORS, on="cohort", body={"max_uses": 3}),
    *rest("DELETE", "cohort-invitation", MODERATORS, on="cohort_invitation"),
    # Anyone signed in joins by the link; the owner is in the cohort already, so nothing changes.
    *rest("POST", "invitation-accept", SIGNED_IN, on="invitation", writes=SIGNED_IN - OWNER),
]

RUBRIC_BODY = {
    "name": "Matrix new rubric",
    "criteria": [{"name": "Clarity", "scale": 2, "levels": ["Muddled", "Clear"]}],
}

MENTORSHIP = [
    *rest("GET", "rubric-list", SIGNED_IN, marker=w.RUBRIC, sees=SIGNED_IN),
    *rest("POST", "rubric-list", MODERATORS, body=RUBRIC_BODY),
    *rest("GET", "rubric-detail", SIGNED_IN, on="rubric"),
    *rest("PATCH", "rubric-detail", MODERATORS, on="rubric", body={"description": "Changed."}),
    *rest("GET", "rubric-versions", SIGNED_IN, on="rubric"),
    *rest(
        "PUT",
        "milestone-rubric-detail",
        MODERATORS,
        on="milestone",
        body=lambda world: {"rubric": world.rubric.pk},
    ),
    # Only the learner submits their milestone; its mentors and admins review and read the thread.
    *rest("POST", "milestone-submit", OWNER, on="progress", body={"note": "Ready."}),
    *rest("GET", "milestone-thread", OWNER_OR_MODERATOR, on="progress"),
    *rest("GET", "analytics-cohort-rubrics", MODERATORS, on="cohort_rubrics"),
]

NOTIFICATIONS = [
    *rest("GET", "notification-list", SIGNED_IN, marker=w.NOTIFICATION, sees=OWNER),
    *rest("GET", "notification-preferences", SIGNED_IN),
    *rest(
        "PATCH", "notification-preferences", SIGNED_IN, body={"preferences": {"mention": "daily"}}
    ),
    *rest("POST", "notification-read-all", SIGNED_IN, writes=OWNER),
    *rest("GET", "notification-unread-count", SIGNED_IN),
    *rest("GET", "notification-detail", OWNER, on="notification"),
    *rest("POST", "notification-read", OWNER, on="notification"),
    *rest("GET", "subscription-list", SIGNED_IN, marker=w.SUBSCRIPTION, sees=OWNER),
    *rest(
        "POST",
        "subscription-list",
        SIGNED_IN,
        body={"target_type": "challenges.tag", "target_id": "queues"},
    ),
    *rest("DELETE", "subscription-detail", OWNER, on="subscription"),
    # A user's webhook is theirs alone: admins do not read its secret-signed deliveries either.
    *rest("GET", "webhook-list", SIGNED_IN, marker=w.WEBHOOK, sees=OWNER),
    *rest(
        "POST",
        "webhook-list",
        SIGNED_IN,
        body={"url": f"https://{w.PUBLIC_HOST}/hooks", "events": ["article.published"]},
    ),
    # A team's webhooks: its owners only.
    *rest(
        "POST",
        "webhook-list",
        OWNER,
        body={
            "url": f"https://{w.PUBLIC_HOST}/hooks",
            "events": ["article.published"],
            "team": w.TEAM_SLUG,
        },
        refused_field="team",
    ),
    *rest("GET", "webhook-detail", OWNER, on="webhook"),
    *rest("PATCH", "webhook-detail", OWNER, on="webhook", body={"is_active": False}),
    *rest("DELETE", "webhook-detail", OWNER, on="webhook"),
    *rest("GET", "webhook-deliveries", OWNER, on="webhook"),
    *rest("POST", "webhook-redeliver", OWNER, on="webhook"),
    *rest("POST", "webhook-rotate-secret", OWNER, on="webhook"),
]

# The owner's article in review, the mentor its reviewer; withdrawing is the author's or a
# moderator's, deciding never the author's.
ARTICLE_REVIEWS = [
    *rest("GET", "article-review-requests", OWNER_OR_MODERATOR, on="draft"),
    *rest("POST", "article-review-requests", OWNER, on="draft", body={}),
    *rest("GET", "article-review-request", OWNER_OR_MODERATOR, on="review"),
    *rest("GET", "article-review-comments", OWNER_OR_MODERATOR, on="review"),
    *rest(
        "POST",
        "article-review-comments",
        OWNER_OR_MODERATOR,
        on="review",
        body=lambda world: {
            "revision": world.review.revision_number,
            "line": 1,
            "body": "A clearer title?",
        },
    ),
    *rest(
        "POST", "article-review-decision", MODERATORS, on="review", body={"decision": "approved"}
    ),
    *rest("POST", "article-review-withdraw", OWNER_OR_MODERATOR, on="review"),
    *rest("GET", "article-review-queue", SIGNED_IN, marker=w.IN_REVIEW, sees=frozenset({"mentor"})),
    # The author opts in; their mentor (the world's mentor mentors the owner) or an admin decides.
    *rest("GET", "article-review-author-setting", OWNER_OR_MODERATOR, on="owner"),
    *rest(
        "PUT",
        "article-review-author-setting",
        OWNER_OR_MODERATOR,
        on="owner",
        body={"required": True},
    ),
    *rest("GET", "article-review-program-setting", ANYONE, on="program"),
    *rest(
        "PUT", "article-review-program-setting", MODERATORS, on="program", body={"required": True}
    ),
]

# Money: each user's own ledger view and payouts; admins decide the big payouts.
PAYMENTS = [
    *rest("GET", "payment-list", SIGNED_IN),
    *rest("GET", "payment-movements", SIGNED_IN),
    *rest("GET", "payment-balance", SIGNED_IN),
    *rest("GET", "payout-list", SIGNED_IN, marker="po-matrix", sees=OWNER),
    *rest("POST", "payout-list", SIGNED_IN, body={"amount": "10.00", "currency": "ETB"}),
    *rest("GET", "payout-detail", OWNER, on="payout"),
    *rest("GET", "payout-awaiting-approval", ADMIN),
    *rest("POST", "payout-approve", ADMIN, on="payout"),
    *rest("POST", "payout-reject", ADMIN, on="payout", body={"reason": "Name mismatch"}),
    *rest("GET", "payout-method", SIGNED_IN),
    *rest(
        "PUT",
        "payout-method",
        SIGNED_IN,
        body={"bank_code": "901", "account_name": "Someone", "account_number": "1234567890"},
    ),
]

# Offers open a checkout at the test Chapa; nobody sponsors themselves (the owner is the learner).
FUNDING = [
    *rest("GET", "bounty-list", ANYONE),
    *rest("GET", "bounty-detail", ANYONE, on="bounty"),
    *rest(
        "POST",
        "bounty-list",
        SIGNED_IN,
        body=lambda world: {"challenge": world.challenge.pk, "amount": "100"},
    ),
    *rest("GET", "sponsorship-list", ANYONE),
    *rest("GET", "sponsorship-detail", ANYONE, on="sponsorship"),
    *rest(
        "POST",
        "sponsorship-list",
        NOT_THE_AUTHOR,
        body=lambda world: {"learner": world.users["owner"].pk, "amount": "100"},
    ),
]

REST = [
    *ACCOUNTS,
    *IMPORTS,
    *SEARCH,
    *COLLAB,
    *KNOWLEDGE,
    *CHALLENGES,
    *JOURNAL,
    *COHORTS,
    *MENTORSHIP,
    *NOTIFICATIONS,
    *ARTICLE_REVIEWS,
    *PAYMENTS,
    *FUNDING,
]
