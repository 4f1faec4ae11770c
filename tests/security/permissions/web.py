"""Web pages: every URL outside /api/v1/ (GraphQL's own fields aside), GET and the forms' POSTs.

Pages are asked with a session and a CSRF token, like a browser. A refusal is 403, 404, or a
redirect to the login page.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from nexus.notifications.registry import EVENT_TYPES
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
    today,
    web,
)

SIGNED_OUT = ANYONE - SIGNED_IN


def _progress_form(world: w.World, **fields: str) -> dict[str, str]:
    """Milestone forms carry the progress id as their prefix."""
    return {f"{world.progress.pk}-{name}": value for name, value in fields.items()}


OPERATIONS = [
    *web("GET", "healthz", ANYONE),
    *web("GET", "readyz", ANYONE),
    # Prometheus scrapes each replica; nginx keeps /metrics from the public (deploy/nginx).
    *web("GET", "metrics", frozenset()),
    *web("GET", "schema", ANYONE),
    *web("GET", "swagger-ui", ANYONE),
    *web("GET", "redoc", ANYONE),
    # The editor's preview (challenges, answers, entries, issues); articles use knowledge:preview.
    *web("POST", "markdown_preview", SIGNED_IN, body={"body": "**Hi**"}, writes=False),
    # GraphiQL; the fields themselves are rows of graphql.py.
    *web("GET", "graphql", ANYONE, headers={"Accept": "text/html"}),
    # Django's admin site, behind its staff check; its index stands for every admin page.
    *web("GET", "admin:index", ADMIN),
]

ACCOUNTS = [
    # Signed-in people are sent on to their profile: allowed, and nothing is stored.
    *web("GET", "accounts:signup", ANYONE),
    *web(
        "POST",
        "accounts:signup",
        ANYONE,
        writes=SIGNED_OUT,
        body={
            "email": "newcomer@example.com",
            "display_name": "New",
            "track": "backend",
            "password": NEW_PASSWORD,
        },
    ),
    *web("GET", "accounts:login", ANYONE),
    *web(
        "POST",
        "accounts:login",
        ANYONE,
        writes=SIGNED_OUT,
        body=lambda world: {"username": world.users["owner"].email, "password": DEFAULT_PASSWORD},
    ),
    *web("POST", "accounts:logout", ANYONE, writes=SIGNED_IN),
    *web("POST", "accounts:log_out_everywhere", SIGNED_IN, allowed_redirect="accounts:login"),
    *web("GET", "accounts:signup_done", ANYONE),
    # The link's page itself is public; only the right link and password activate an account.
    *web("GET", "accounts:signup_confirm", ANYONE, on="reset"),
    # Browsers post violation reports without credentials: anyone may (bounded and throttled).
    *web(
        "POST",
        "csp-reports",
        ANYONE,
        headers={"Content-Type": "application/csp-report"},
        body={
            "csp-report": {
                "document-uri": "http://testserver/",
                "effective-directive": "script-src-elem",
                "blocked-uri": "inline",
            }
        },
    ),
    *web("GET", "accounts:profile", SIGNED_IN),
    *web(
        "POST", "accounts:profile", SIGNED_IN, body={"display_name": "Renamed", "track": "backend"}
    ),
    *web("POST", "accounts:token_create", SIGNED_IN, body={"name": "laptop"}),
    *web("POST", "accounts:token_revoke", OWNER, on="token"),
    *web("GET", "accounts:team_list", ANYONE),
    *web("POST", "accounts:team_list", SIGNED_IN, body={"name": "Another team"}),
    *web("GET", "accounts:team_detail", ANYONE, on="team"),
    *web(
        "POST",
        "accounts:team_detail",
        OWNER_OR_ADMIN,
        on="team",
        body=lambda world: {"email": world.users["other"].email, "role": "frontend"},
    ),
    *web("GET", "accounts:password_change", SIGNED_IN),
    *web(
        "POST",
        "accounts:password_change",
        SIGNED_IN,
        body={"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
    ),
    *web("GET", "accounts:password_reset", ANYONE),
    *web(
        "POST",
        "accounts:password_reset",
        ANYONE,
        body={"email": "nobody@example.com"},
        writes=False,
    ),
    *web("GET", "accounts:password_reset_done", ANYONE),
    *web("GET", "accounts:password_reset_confirm", ANYONE, on="reset"),
]

CHALLENGES = [
    *web("GET", "challenges:list", ANYONE),
    *web("GET", "challenges:create", SIGNED_IN),
    *web(
        "POST", "challenges:create", SIGNED_IN, body={"title": "Tests hang on CI", "body": "Why?"}
    ),
    *web("GET", "challenges:similar", ANYONE, query={"q": "checker"}),
    *web("GET", "challenges:leaderboard", ANYONE),
    *web("GET", "challenges:mine", SIGNED_IN),
    *web("GET", "challenges:user", ANYONE, on="owner"),
    *web("GET", "challenges:detail", ANYONE, on="challenge"),
    *web("POST", "challenges:vote", NOT_THE_AUTHOR, on="challenge", body={"value": "1"}),
    *web("POST", "challenges:answer", SIGNED_IN, on="challenge", body={"body": "Try this."}),
    *web("POST", "challenges:comment", SIGNED_IN, on="challenge", body={"body": "Which OS?"}),
    *web(
        "POST", "challenges:status", OWNER_OR_MODERATOR, on="challenge", body={"status": "closed"}
    ),
    *web(
        "POST",
        "challenges:status",
        MODERATORS,
        on="challenge",
        body=lambda world: {"status": "duplicate", "duplicate_of": world.older_challenge.pk},
    ),
    *web("POST", "challenges:solution_vote", NOT_THE_AUTHOR, on="solution", body={"value": "1"}),
    *web("POST", "challenges:accept", OWNER_OR_MODERATOR, on="solution"),
    *web("POST", "challenges:solution_review", OWNER_OR_MODERATOR, on="solution"),
]

JOURNAL = [
    *web("GET", "journal:month", SIGNED_IN),
    *web(
        "POST",
        "journal:entry_create",
        SIGNED_IN,
        body=lambda world: {
            "date": today(),
            "body": "Caching.",
            "minutes_spent": "30",
            "confidence": "3",
            "visibility": "private",
        },
    ),
    *web("GET", "journal:entry", OWNER, on="entry_private"),
    *web("GET", "journal:entry", OWNER_OR_MODERATOR, on="entry_mentors"),
    *web("GET", "journal:entry_edit", OWNER, on="entry_mentors"),
    *web(
        "POST",
        "journal:entry_edit",
        OWNER,
        on="entry_mentors",
        body=lambda world: {
            "date": today(),
            "body": "Rewritten.",
            "minutes_spent": "30",
            "confidence": "3",
            "visibility": "mentors",
        },
    ),
    *web(
        "POST",
        "journal:reflection_save",
        SIGNED_IN,
        on="month",
        body={"went_well": "Shipping.", "visibility": "private"},
    ),
    *web("GET", "journal:person", ANYONE, on="owner", marker=w.PRIVATE_ENTRY, sees=OWNER),
    *web(
        "GET", "journal:person", ANYONE, on="owner", marker=w.MENTORS_ENTRY, sees=OWNER_OR_MODERATOR
    ),
    *web("GET", "journal:milestones", SIGNED_IN),
    *web(
        "POST",
        "journal:milestone_update",
        OWNER,
        on="progress",
        body=lambda world: _progress_form(world, status="in_progress", note="Almost."),
    ),
    *web("GET", "journal:review_queue", MODERATORS, marker=w.REPOSITORY, sees=MODERATORS),
    *web(
        "POST",
        "journal:review",
        MODERATORS,
        on="progress",
        body=lambda world: _progress_form(world, decision="approve", comment="Good."),
    ),
    *web("GET", "mentorship:rubrics", SIGNED_IN, marker=w.RUBRIC, sees=SIGNED_IN),
    *web("GET", "mentorship:rubric_create", MODERATORS),
    *web(
        "POST",
        "mentorship:rubric_create",
        MODERATORS,
        body={"name": "Web rubric", "criterion-0-name": "Clarity", "criterion-0-scale": "2"},
    ),
    *web("GET", "mentorship:rubric_edit", MODERATORS, on="rubric"),
    *web(
        "POST",
        "mentorship:rubric_edit",
        MODERATORS,
        on="rubric",
        body={"name": "Renamed", "criterion-0-name": "Clarity", "criterion-0-scale": "4"},
    ),
    *web("GET", "mentorship:milestone_rubrics", MODERATORS),
    *web(
        "POST",
        "mentorship:milestone_rubrics",
        MODERATORS,
        body=lambda world: {f"milestone-{world.progress.milestone_id}": str(world.rubric.pk)},
    ),
    *web("GET", "mentorship:milestone_thread", OWNER_OR_MODERATOR, on="progress"),
    *web(
        "POST",
        "mentorship:milestone_thread",
        MODERATORS,
        on="progress",
        body={"decision": "approved"},
    ),
    *web("GET", "journal:dashboard", SIGNED_IN),
    *web(
        "GET",
        "journal:dashboard",
        OWNER_OR_MODERATOR,
        query=lambda world: {"learner": world.users["owner"].pk},
    ),
    *web("GET", "journal:cohorts", MODERATORS),
    *web("GET", "journal:cohort_dashboard", MODERATORS, on="cohort"),
    *web(
        "POST",
        "journal:cohort_create",
        MODERATORS,
        body=lambda world: {
            "name": "Matrix spring",
            "program": str(world.cohort.program_id),
            "start_date": today(),
        },
    ),
    # The cohort's own page and its forms: its mentor and admins (the owner is only a member).
    *web("GET", "journal:cohort", MODERATORS, on="cohort"),
    *web(
        "POST",
        "journal:cohort_edit",
        MODERATORS,
        on="cohort",
        body=lambda world: {"name": "Renamed", "start_date": today()},
    ),
    *web("POST", "journal:cohort_archive", MODERATORS, on="cohort", body={"archived": "1"}),
    *web(
        "POST",
        "journal:cohort_mentors",
        MODERATORS,
        on="cohort",
        body=lambda world: {"mentors": [str(world.users["mentor"].pk)]},
        writes=frozenset({"admin"}),
    ),
    *web("GET", "journal:cohort_people_search", MODERATORS, on="cohort", query={"q": "Oscar"}),
    *web(
        "POST",
        "journal:cohort_member_add",
        MODERATORS,
        on="cohort",
        body=lambda world: {"user": str(world.users["other"].pk)},
    ),
    *web(
        "POST",
        "journal:cohort_member_mentors",
        MODERATORS,
        on="cohort_member",
        body=lambda world: {"mentors": [str(world.users["mentor"].pk)]},
    ),
    *web("POST", "journal:cohort_member_remove", MODERATORS, on="cohort_member"),
    *web("POST", "journal:cohort_invitation_create", MODERATORS, on="cohort", body={"days": "7"}),
    *web("POST", "journal:cohort_invitation_revoke", MODERATORS, on="cohort_invitation"),
    *web("GET", "journal_join", ANYONE, on="invitation"),
    *web("POST", "journal_join", SIGNED_IN, on="invitation", writes=SIGNED_IN - OWNER),
    *web("GET", "journal:analytics", ADMIN),
    *web("GET", "journal:programs", ANYONE),
]

NOTIFICATIONS = [
    *web("GET", "notifications:list", SIGNED_IN, marker=w.NOTIFICATION, sees=OWNER),
    *web("GET", "notifications:bell", ANYONE),
    *web("POST", "notifications:open", OWNER, on="notification"),
    *web("POST", "notifications:read_all", SIGNED_IN, writes=OWNER),
    *web(
        "POST",
        "notifications:follow",
        SIGNED_IN,
        body={"target_type": "challenges.tag", "target_id": "queues", "follow": "1"},
    ),
    *web("GET", "notifications:preferences", SIGNED_IN),
    *web("POST", "notifications:preferences", SIGNED_IN, body=dict.fromkeys(EVENT_TYPES, "daily")),
    # The signed link is the proof, whoever follows it (RFC 8058 one-click unsubscribe).
    *web("GET", "notifications:unsubscribe", ANYONE, on="unsubscribe"),
    *web("POST", "notifications:unsubscribe", ANYONE, on="unsubscribe"),
    *web("GET", "notifications:webhooks", SIGNED_IN, marker=w.WEBHOOK, sees=OWNER),
    *web(
        "POST",
        "notifications:webhooks",
        SIGNED_IN,
        body={"url": f"https://{w.PUBLIC_HOST}/hooks", "events": ["article.published"]},
    ),
    *web("GET", "notifications:webhook_detail", OWNER, on="webhook"),
    *web("POST", "notifications:webhook_rotate", OWNER, on="webhook"),
    *web("POST", "notifications:webhook_toggle", OWNER, on="webhook"),
    *web("POST", "notifications:webhook_delete", OWNER, on="webhook"),
    *web("POST", "notifications:webhook_redeliver", OWNER, on="webhook"),
]

COLLAB = [
    *web("GET", "collab:api_list", ANYONE),
    *web("GET", "collab:api_create", SIGNED_IN),
    *web("POST", "collab:api_create", SIGNED_IN, body={"name": "Orders"}),
    *web("GET", "collab:alert_list", SIGNED_IN, marker="Pets", sees=OWNER),
    *web("GET", "collab:api_detail", ANYONE, on="api"),
    *web("POST", "collab:version_create", OWNER_OR_ADMIN, on="api", body={"spec_text": NEW_SPEC}),
    *web("GET", "collab:version_detail", ANYONE, on="api"),
    *web("GET", "collab:version_spec_json", ANYONE, on="api"),
    *web("GET", "collab:version_swagger", ANYONE, on="api"),
    *web("GET", "collab:version_swagger_spec", ANYONE, on="api"),
    *web("GET", "collab:api_compare", ANYONE, on="api", query={"from": 1, "to": 2}),
    *web("POST", "collab:consumer_declare", SIGNED_IN, on="api"),
    *web("GET", "collab:operation_detail", ANYONE, on="api"),
    *web("POST", "collab:operation_detail", SIGNED_IN, on="api", body={"naming": "3"}),
    *web("GET", "collab:issue_create", SIGNED_IN, on="api"),
    *web(
        "POST",
        "collab:issue_create",
        SIGNED_IN,
        on="api",
        body={"title": "Off by one", "kind": "bug"},
    ),
    *web("POST", "collab:feedback_reply", OWNER_OR_ADMIN, on="feedback", body={"reply": "Thanks."}),
    *web("GET", "collab:issue_list", ANYONE),
    *web("GET", "collab:issue_board", ANYONE),
    *web("GET", "collab:issue_detail", ANYONE, on="issue"),
    *web("POST", "collab:issue_status", OWNER_OR_MODERATOR, on="issue", body={"status": "triaged"}),
    *web(
        "POST", "collab:issue_triage", OWNER_OR_MODERATOR, on="issue", body={"labels": "pagination"}
    ),
    *web("POST", "collab:issue_comment", SIGNED_IN, on="issue", body={"body": "Same here."}),
    *web(
        "POST",
        "collab:issue_watch",
        SIGNED_IN,
        on="issue",
        body={"watch": "1"},
        writes=SIGNED_IN - OWNER,
    ),
    *web("GET", "mock", ANYONE, on="api"),
    # Reached only with a version that is neither a number nor "latest": there is none such.
    *web("GET", "mock/<slug:slug>/<str:version>/", frozenset(), on="mock_unknown_version"),
]

IMPORTS_AND_SEARCH = [
    *web("GET", "importer:jobs", SIGNED_IN, marker=w.IMPORT, sees=OWNER),
    *web(
        "POST",
        "importer:jobs",
        SIGNED_IN,
        body=lambda world: {"file": SimpleUploadedFile("notes.md", b"# Notes\n\nText.\n")},
    ),
    *web("GET", "importer:job", OWNER_OR_ADMIN, on="job"),
    # A payment's receipt is its payer's alone; Chapa's callback ping only starts a check.
    *web("GET", "payments:return", OWNER, on="payment"),
    *web("GET", "payments:callback", ANYONE),
    *web(
        "GET",
        "search:search",
        ANYONE,
        query={"q": w.DRAFT_WORD},
        marker=w.DRAFT_ARTICLE,
        sees=OWNER_OR_MODERATOR,
    ),
    *web(
        "GET",
        "search:autocomplete",
        ANYONE,
        query={"q": "draft"},
        marker=w.DRAFT_ARTICLE,
        sees=OWNER_OR_MODERATOR,
    ),
]


def _article_form(world: w.World) -> dict[str, str]:
    return {
        "title": "Caching, revised",
        "kind": "concept",
        "body": "New body.",
        "status": "published",
        "version": str(world.article.version),
    }


KNOWLEDGE = [
    *web("GET", "home", ANYONE),
    *web("GET", "knowledge:highlight_css", ANYONE),
    *web("GET", "knowledge:technologies", ANYONE),
    *web("GET", "knowledge:technology", ANYONE, on="technology"),
    *web("GET", "knowledge:articles", ANYONE),
    *web(
        "GET",
        "knowledge:articles",
        ANYONE,
        query={"status": "draft"},
        marker=w.DRAFT_ARTICLE,
        sees=OWNER_OR_MODERATOR,
    ),
    *web("GET", "knowledge:article_create", SIGNED_IN),
    *web(
        "POST",
        "knowledge:article_create",
        SIGNED_IN,
        body={"title": "Queues", "kind": "concept", "body": "Use them.", "status": "draft"},
    ),
    *web("POST", "knowledge:preview", SIGNED_IN, body={"body": "# Hi"}, writes=False),
    *web(
        "POST",
        "knowledge:attachment_upload",
        SIGNED_IN,
        body=lambda world: {"file": SimpleUploadedFile("cat.txt", b"A cat.\n")},
    ),
    # Readable by anyone with the link: attachments sit in pages visitors read.
    *web("GET", "knowledge:attachment", ANYONE, on="attachment"),
    *web("GET", "knowledge:article", ANYONE, on="article"),
    *web("GET", "knowledge:article", OWNER_OR_MODERATOR, on="draft"),
    *web("GET", "knowledge:article", OWNER_OR_MODERATOR, on="archived"),
    *web("GET", "knowledge:edit", OWNER_OR_MODERATOR, on="article"),
    *web("POST", "knowledge:edit", OWNER_OR_MODERATOR, on="article", body=_article_form),
    *web("POST", "knowledge:archive", OWNER_OR_MODERATOR, on="article"),
    *web("POST", "knowledge:review", OWNER_OR_MODERATOR, on="article"),
    *web("GET", "knowledge:history", ANYONE, on="article"),
    *web("GET", "knowledge:history", OWNER_OR_MODERATOR, on="draft"),
    *web("GET", "knowledge:diff", ANYONE, on="article"),
    *web("POST", "knowledge:revert", OWNER_OR_MODERATOR, on="article"),
    *web("POST", "knowledge:react", SIGNED_IN, on="article"),
    *web("POST", "knowledge:bookmark", SIGNED_IN, on="article"),
    *web("POST", "knowledge:bookmark", OWNER_OR_MODERATOR, on="draft"),
    *web("POST", "knowledge:comment_create", SIGNED_IN, on="article", body={"body": "Useful."}),
    *web("POST", "knowledge:comment_edit", OWNER, on="article", body={"body": "Edited."}),
    *web("POST", "knowledge:comment_remove", OWNER_OR_MODERATOR, on="article"),
    *web("GET", "knowledge:bookmarks", SIGNED_IN),
    *web("GET", "knowledge:paths", ANYONE),
    *web("GET", "knowledge:path_create", SIGNED_IN),
    *web(
        "POST",
        "knowledge:path_create",
        SIGNED_IN,
        body=lambda world: {"title": "Path two", "articles": world.article.slug},
    ),
    *web("GET", "knowledge:path", ANYONE, on="path", marker=w.ARCHIVED, sees=OWNER_OR_MODERATOR),
    *web("POST", "knowledge:path_step", SIGNED_IN, on="path"),
]

ARTICLE_REVIEWS = [
    *web(
        "GET", "mentorship:review-queue", SIGNED_IN, marker=w.IN_REVIEW, sees=frozenset({"mentor"})
    ),
    *web("GET", "mentorship:article-reviews", OWNER_OR_MODERATOR, on="review"),
    *web("POST", "mentorship:article-reviews", OWNER, on="draft", body={"rubric": ""}),
    *web("GET", "mentorship:article-review", OWNER_OR_MODERATOR, on="review"),
    # The world's mentor mentors the owner: the author opts in, their mentor or an admin decides.
    *web(
        "POST",
        "mentorship:article-review-setting",
        OWNER_OR_MODERATOR,
        on="draft",
        body={"required": "on"},
    ),
    *web(
        "POST",
        "mentorship:program-review-setting",
        MODERATORS,
        on="program",
        body={"required": "on"},
    ),
    *web(
        "POST",
        "mentorship:article-review-comment",
        OWNER_OR_MODERATOR,
        on="review",
        body=lambda world: {
            "revision": str(world.review.revision_number),
            "line": "1",
            "body": "A clearer title?",
        },
    ),
    *web(
        "POST",
        "mentorship:article-review-decide",
        MODERATORS,
        on="review",
        body={"decision": "approved"},
    ),
    *web("POST", "mentorship:article-review-withdraw", OWNER_OR_MODERATOR, on="review"),
]

PAYMENTS = [
    *web("GET", "payments:home", SIGNED_IN),
    *web("POST", "payments:payout_request", SIGNED_IN, body={"amount": "10", "currency": "ETB"}),
    *web("GET", "payments:payout_method", SIGNED_IN),
    *web("GET", "payments:admin", ADMIN, marker="po-matrix", sees=ADMIN),
    *web("POST", "payments:admin_approve", ADMIN, on="payout"),
    *web("POST", "payments:admin_reject", ADMIN, on="payout", body={"reason": "No"}),
    *web("GET", "payments:admin_report", ADMIN, on="month"),
]

# Offers go on to the test Chapa's checkout; a cohort's fund is granted by its mentors and admins.
OFFER = {"amount": "100", "currency": "ETB", "expires_in_days": "14", "on_expiry": "credit"}
FUNDING = [
    *web("GET", "funding:mine", SIGNED_IN),
    *web("POST", "funding:bounty_offer", SIGNED_IN, on="challenge", body=OFFER),
    *web(
        "POST",
        "funding:sponsor_learner",
        NOT_THE_AUTHOR,
        on="owner",
        body={"kind": "grant", "amount": "100", "currency": "ETB"},
    ),
    *web(
        "POST",
        "funding:sponsor_cohort",
        SIGNED_IN,
        on="cohort",
        body={"kind": "grant", "amount": "100", "currency": "ETB"},
    ),
    *web("GET", "funding:cohort_grants", MODERATORS, on="cohort"),
]

WEB = [
    *OPERATIONS,
    *FUNDING,
    *ARTICLE_REVIEWS,
    *ACCOUNTS,
    *CHALLENGES,
    *JOURNAL,
    *NOTIFICATIONS,
    *COLLAB,
    *IMPORTS_AND_SEARCH,
    *KNOWLEDGE,
    *PAYMENTS,
]
