"""GraphQL: every query field and mutation of /graphql/, and who may use it.

A refusal is the "not authenticated" error, a null (what one may not see does not exist), or a
payload whose `errors` say permission_denied / not_found / forbidden. In a mutation's document,
ERRORS stands for the payload's `errors { code field message }`.
"""

from collections.abc import Callable

from nexus.core import clock
from tests.security import world as w
from tests.security.permissions.roles import (
    ADMIN,
    ANYONE,
    MODERATORS,
    NOT_THE_AUTHOR,
    OWNER,
    OWNER_OR_ADMIN,
    OWNER_OR_MODERATOR,
    SIGNED_IN,
    mutation,
    query,
)

type Variables = Callable[[w.World], dict[str, object]]


def _ids(*names: str) -> Variables:
    """Variables naming objects of the world: `_ids("id=issue")` gives {"id": issue.pk}."""

    def build(world: w.World) -> dict[str, object]:
        pairs = (name.split("=") for name in names)
        return {variable: str(getattr(world, attribute).pk) for variable, attribute in pairs}

    return build


def _slug(attribute: str) -> Variables:
    return lambda world: {"slug": getattr(world, attribute).slug}


def _text(**values: object) -> Variables:
    return lambda world: dict(values)


ARTICLE = "query($slug: String!) { article(slug: $slug) { title } }"
ENTRY = "query($id: ID!) { journalEntry(id: $id) { body } }"
ENTRIES = "{ journalEntries { results { body } } }"
# Drafts are found by their author and by moderators only.
DRAFT = {"marker": w.DRAFT_ARTICLE, "sees": OWNER_OR_MODERATOR}

QUERIES = [
    *query("users", ANYONE, "{ users { results { displayName } } }"),
    *query("me", SIGNED_IN, "{ me { email } }"),
    *query(
        "user",
        ANYONE,
        "query($id: ID!) { user(id: $id) { displayName } }",
        variables=lambda world: {"id": str(world.users["owner"].pk)},
    ),
    *query("apis", ANYONE, "{ apis { results { slug } } }"),
    *query(
        "api",
        ANYONE,
        "query($slug: String!) { api(slug: $slug) { slug } }",
        variables=_text(slug=w.API_SLUG),
    ),
    *query("integrationIssues", ANYONE, "{ integrationIssues { results { title } } }"),
    *query("technologies", ANYONE, "{ technologies { slug } }"),
    *query("technology", ANYONE, '{ technology(slug: "redis") { slug } }'),
    *query("articles", ANYONE, '{ articles(filter: {status: "draft"}) { title } }', **DRAFT),
    *query("article", ANYONE, ARTICLE, variables=_slug("article")),
    *query("article", OWNER_OR_MODERATOR, ARTICLE, variables=_slug("draft")),
    *query("article", OWNER_OR_MODERATOR, ARTICLE, variables=_slug("archived")),
    *query(
        "articleDiff",
        OWNER_OR_MODERATOR,
        "query($slug: String!) { articleDiff(slug: $slug, fromRevision: 1, toRevision: 1) "
        "{ changed } }",
        variables=_slug("draft"),
    ),
    *query("learningPaths", ANYONE, "{ learningPaths { slug } }"),
    # A step whose article was archived since is shown only to whom may see the article.
    *query(
        "learningPath",
        ANYONE,
        "query($slug: String!) { learningPath(slug: $slug) { steps { article { title } } } }",
        variables=_slug("path"),
        marker=w.ARCHIVED,
        sees=OWNER_OR_MODERATOR,
    ),
    *query(
        "learningPaths",
        ANYONE,
        "{ learningPaths { steps { article { title } } } }",
        marker=w.ARCHIVED,
        sees=OWNER_OR_MODERATOR,
    ),
    # IsAuthenticated fails silently on lists: signed out, they are empty rather than refused.
    *query("bookmarks", ANYONE, "{ bookmarks { slug } }"),
    *query("challenges", ANYONE, "{ challenges { results { title } } }"),
    *query(
        "challenge",
        ANYONE,
        "query($id: ID!) { challenge(id: $id) { title } }",
        variables=_ids("id=challenge"),
    ),
    *query("similarChallenges", ANYONE, '{ similarChallenges(text: "checker") { similarity } }'),
    *query("challengeLeaderboard", ANYONE, "{ challengeLeaderboard { points } }"),
    # Signed out, an empty list; admins see everybody's imports.
    *query("importJobs", ANYONE, "{ importJobs { source } }", marker=w.IMPORT, sees=OWNER_OR_ADMIN),
    *query(
        "importJob",
        OWNER_OR_ADMIN,
        "query($id: ID!) { importJob(id: $id) { source } }",
        variables=_ids("id=job"),
    ),
    *query("programs", ANYONE, "{ programs { slug } }"),
    *query("journalEntries", ANYONE, ENTRIES, marker=w.PRIVATE_ENTRY, sees=OWNER),
    *query("journalEntries", ANYONE, ENTRIES, marker=w.MENTORS_ENTRY, sees=OWNER_OR_MODERATOR),
    *query("journalEntry", OWNER, ENTRY, variables=_ids("id=entry_private")),
    *query("journalEntry", OWNER_OR_MODERATOR, ENTRY, variables=_ids("id=entry_mentors")),
    *query(
        "milestoneProgress",
        ANYONE,
        "{ milestoneProgress { results { repositoryUrl } } }",
        marker=w.REPOSITORY,
        sees=OWNER_OR_MODERATOR,
    ),
    *query("rubrics", ANYONE, "{ rubrics { name } }", marker=w.RUBRIC, sees=SIGNED_IN),
    *query(
        "milestoneThread",
        OWNER_OR_MODERATOR,
        "query($id: ID!) { milestoneThread(id: $id) { round } }",
        variables=_ids("id=progress"),
    ),
    *query(
        "notifications",
        ANYONE,
        "{ notifications { results { title } } }",
        marker=w.NOTIFICATION,
        sees=OWNER,
    ),
    *query(
        "subscriptions",
        ANYONE,
        "{ subscriptions { results { targetId } } }",
        marker=w.SUBSCRIPTION,
        sees=OWNER,
    ),
    *query("unreadNotificationCount", SIGNED_IN, "{ unreadNotificationCount }"),
    *query(
        "search",
        ANYONE,
        "query($q: String!) { search(q: $q) { results { title } } }",
        variables=_text(q=w.DRAFT_WORD),
        **DRAFT,
    ),
    *query(
        "similarItems",
        ANYONE,
        "query($text: String!) { similarItems(text: $text) { title } }",
        variables=_text(text=w.DRAFT_WORD),
        **DRAFT,
    ),
]

UPDATE_ARTICLE = (
    "mutation($slug: String!, $version: Int!) { updateArticle(slug: $slug, version: $version, "
    'data: {body: "Edited."}) { ERRORS } }'
)


def _versioned(attribute: str) -> Variables:
    def build(world: w.World) -> dict[str, object]:
        article = getattr(world, attribute)
        return {"slug": article.slug, "version": article.version}

    return build


MUTATIONS = [
    *mutation("logOutEverywhere", SIGNED_IN, "mutation { logOutEverywhere { done } }"),
    *mutation(
        "updateProfile", SIGNED_IN, 'mutation { updateProfile(data: {bio: "Hi."}) { ERRORS } }'
    ),
    *mutation(
        "fileIntegrationIssue",
        SIGNED_IN,
        "mutation($api: String!) { fileIntegrationIssue(data: {api: $api, "
        'title: "Off by one"}) { ERRORS } }',
        variables=_text(api=w.API_SLUG),
    ),
    *mutation(
        "moveIntegrationIssue",
        OWNER_OR_MODERATOR,
        'mutation($id: ID!) { moveIntegrationIssue(id: $id, status: "triaged") { ERRORS } }',
        variables=_ids("id=issue"),
    ),
    *mutation(
        "rateOperation",
        SIGNED_IN,
        "mutation($id: ID!) { rateOperation(data: {operationId: $id, naming: 2}) { ERRORS } }",
        variables=_ids("id=operation"),
    ),
    *mutation(
        "createArticle",
        SIGNED_IN,
        'mutation { createArticle(data: {title: "Queues", body: "Use them."}) { ERRORS } }',
    ),
    *mutation("updateArticle", OWNER_OR_MODERATOR, UPDATE_ARTICLE, variables=_versioned("article")),
    *mutation("updateArticle", OWNER_OR_MODERATOR, UPDATE_ARTICLE, variables=_versioned("draft")),
    *mutation(
        "archiveArticle",
        OWNER_OR_MODERATOR,
        "mutation($slug: String!) { archiveArticle(slug: $slug) { ERRORS } }",
        variables=_slug("article"),
    ),
    *mutation(
        "revertArticle",
        OWNER_OR_MODERATOR,
        "mutation($slug: String!) { revertArticle(slug: $slug, revision: 1) { ERRORS } }",
        variables=_slug("article"),
    ),
    *mutation(
        "setHelpful",
        SIGNED_IN,
        "mutation($slug: String!) { setHelpful(slug: $slug, helpful: true) { ERRORS } }",
        variables=_slug("article"),
    ),
    *mutation(
        "setBookmark",
        SIGNED_IN,
        "mutation($slug: String!) { setBookmark(slug: $slug, bookmarked: true) { ERRORS } }",
        variables=_slug("article"),
    ),
    *mutation(
        "addComment",
        SIGNED_IN,
        'mutation($slug: String!) { addComment(slug: $slug, body: "Useful.") { ERRORS } }',
        variables=_slug("article"),
    ),
    # Only the author edits a comment; the author or a moderator removes it.
    *mutation(
        "editComment",
        OWNER,
        'mutation($id: ID!) { editComment(id: $id, body: "Edited.") { ERRORS } }',
        variables=_ids("id=article_comment"),
    ),
    *mutation(
        "removeComment",
        OWNER_OR_MODERATOR,
        "mutation($id: ID!) { removeComment(id: $id) { ERRORS } }",
        variables=_ids("id=article_comment"),
    ),
    *mutation(
        "createTechnology",
        MODERATORS,
        'mutation { createTechnology(name: "Matrixdb", category: "devops", description: "DB") '
        "{ ERRORS } }",
    ),
    *mutation(
        "createLearningPath",
        SIGNED_IN,
        "mutation($articles: [String!]!) { createLearningPath(title: "
        '"Path two", articles: $articles, description: "") { ERRORS } }',
        variables=lambda world: {"articles": [world.article.slug]},
    ),
    *mutation(
        "markPathStep",
        SIGNED_IN,
        "mutation($path: String!, $article: String!) { markPathStep(path: $path, "
        "article: $article, done: true) { ERRORS } }",
        variables=lambda world: {"path": world.path.slug, "article": world.article.slug},
    ),
    *mutation(
        "createChallenge",
        SIGNED_IN,
        'mutation { createChallenge(title: "Tests hang", body: "On CI.") { ERRORS } }',
    ),
    *mutation(
        "postSolution",
        SIGNED_IN,
        'mutation($id: ID!) { postSolution(challengeId: $id, body: "Try this.") { ERRORS } }',
        variables=_ids("id=challenge"),
    ),
    *mutation(
        "voteChallenge",
        NOT_THE_AUTHOR,
        "mutation($id: ID!) { voteChallenge(id: $id, value: 1) { ERRORS } }",
        variables=_ids("id=challenge"),
    ),
    *mutation(
        "voteSolution",
        NOT_THE_AUTHOR,
        "mutation($id: ID!) { voteSolution(id: $id, value: 1) { ERRORS } }",
        variables=_ids("id=solution"),
    ),
    *mutation(
        "acceptSolution",
        OWNER_OR_MODERATOR,
        "mutation($c: ID!, $s: ID) { acceptSolution(challengeId: $c, solutionId: $s) { ERRORS } }",
        variables=_ids("c=challenge", "s=solution"),
    ),
    *mutation(
        "startImport",
        SIGNED_IN,
        "mutation($url: String!) { startImport(url: $url) { ERRORS } }",
        variables=_text(url=f"https://{w.PUBLIC_HOST}/notes.git"),
    ),
    *mutation(
        "createJournalEntry",
        SIGNED_IN,
        "mutation($date: Date!) { createJournalEntry(data: {date: $date, "
        'body: "Caching."}) { ERRORS } }',
        variables=lambda world: {"date": clock.today().isoformat()},
    ),
    # Mentors and admins read a learner's worklog; they never rewrite it.
    *mutation(
        "updateJournalEntry",
        OWNER,
        'mutation($id: ID!) { updateJournalEntry(id: $id, data: {body: "Rewritten."}) { ERRORS } }',
        variables=_ids("id=entry_mentors"),
    ),
    *mutation(
        "reviewMilestone",
        MODERATORS,
        'mutation($id: ID!) { reviewMilestone(id: $id, approve: true, comment: "Good.") '
        "{ ERRORS } }",
        variables=_ids("id=progress"),
    ),
    *mutation(
        "submitMilestone",
        OWNER,
        "mutation($id: ID!) { submitMilestone(id: $id) { ERRORS } }",
        variables=_ids("id=progress"),
    ),
    *mutation(
        "createRubric",
        MODERATORS,
        'mutation { createRubric(name: "Matrix GraphQL rubric", '
        'criteria: [{name: "Clarity", scale: 2}]) { ERRORS } }',
    ),
    *mutation(
        "updateRubric",
        MODERATORS,
        'mutation($id: ID!) { updateRubric(id: $id, description: "Changed") { ERRORS } }',
        variables=_ids("id=rubric"),
    ),
    *mutation(
        "scoreMilestone",
        MODERATORS,
        'mutation($id: ID!) { scoreMilestone(id: $id, decision: "approved") { ERRORS } }',
        variables=_ids("id=progress"),
    ),
    *mutation(
        "markNotificationRead",
        OWNER,
        "mutation($id: ID!) { markNotificationRead(id: $id) { ERRORS } }",
        variables=_ids("id=notification"),
    ),
    # Only the owner has something unread to mark.
    *mutation(
        "markAllNotificationsRead", SIGNED_IN, "mutation { markAllNotificationsRead }", writes=OWNER
    ),
    *mutation(
        "follow",
        SIGNED_IN,
        'mutation { follow(targetType: "challenges.tag", targetId: "queues") { ERRORS } }',
    ),
    *mutation(
        "unfollow",
        OWNER,
        "mutation($id: ID!) { unfollow(id: $id) }",
        variables=_ids("id=subscription"),
    ),
]


def _cohort_and(**users: str) -> Variables:
    """The world's cohort as cohortId, and users of the world by role: `userId="owner"`."""
    return lambda world: {
        "cohortId": str(world.cohort.pk),
        **{variable: str(world.users[role].pk) for variable, role in users.items()},
    }


# The world's cohort is the mentor's, with the owner in it; the other user is in none.
COHORTS = [
    # Everyone may ask; a visitor gets an empty list, the other user too (they are in none).
    *query("cohorts", ANYONE, "{ cohorts { name } }"),
    *query(
        "cohort",
        OWNER_OR_MODERATOR,
        "query($id: ID!) { cohort(id: $id) { name } }",
        variables=_ids("id=cohort"),
    ),
    *mutation(
        "createCohort",
        MODERATORS,
        'mutation($d: Date!) { createCohort(name: "Matrix spring", startDate: $d) '
        "{ cohort { id } ERRORS } }",
        variables=lambda world: {"d": clock.today().isoformat()},
    ),
    *mutation(
        "updateCohort",
        MODERATORS,
        'mutation($id: ID!) { updateCohort(id: $id, description: "Changed") '
        "{ cohort { id } ERRORS } }",
        variables=_ids("id=cohort"),
    ),
    *mutation(
        "setCohortMentors",
        MODERATORS,
        "mutation($cohortId: ID!, $m: ID!) { setCohortMentors(id: $cohortId, mentorIds: [$m]) "
        "{ cohort { id } ERRORS } }",
        variables=_cohort_and(m="mentor"),
    ),
    *mutation(
        "addCohortMember",
        MODERATORS,
        "mutation($cohortId: ID!, $userId: ID!) { addCohortMember(cohortId: $cohortId, "
        "userId: $userId) { member { joinedAt } ERRORS } }",
        variables=_cohort_and(userId="other"),
    ),
    *mutation(
        "removeCohortMember",
        MODERATORS,
        "mutation($cohortId: ID!, $userId: ID!) { removeCohortMember(cohortId: $cohortId, "
        "userId: $userId) { member { leftAt } ERRORS } }",
        variables=_cohort_and(userId="owner"),
    ),
    *mutation(
        "setLearnerMentors",
        MODERATORS,
        "mutation($cohortId: ID!, $userId: ID!, $m: ID!) { setLearnerMentors(cohortId: "
        "$cohortId, userId: $userId, mentorIds: [$m]) { member { joinedAt } ERRORS } }",
        variables=_cohort_and(userId="owner", m="mentor"),
    ),
    *mutation(
        "createCohortInvitation",
        MODERATORS,
        "mutation($cohortId: ID!) { createCohortInvitation(cohortId: $cohortId, maxUses: 2) "
        "{ invitation { token } ERRORS } }",
        variables=_cohort_and(),
    ),
    *mutation(
        "revokeCohortInvitation",
        MODERATORS,
        "mutation($cohortId: ID!, $id: ID!) { revokeCohortInvitation(cohortId: $cohortId, "
        "id: $id) { invitation { state } ERRORS } }",
        variables=_ids("cohortId=cohort", "id=invitation"),
    ),
    # Anyone signed in joins by the link; the owner is in the cohort already: nothing changes.
    *mutation(
        "acceptCohortInvitation",
        SIGNED_IN,
        "mutation($token: String!) { acceptCohortInvitation(token: $token) "
        "{ member { joinedAt } ERRORS } }",
        variables=lambda world: {"token": world.invitation.token},
        writes=SIGNED_IN - OWNER,
    ),
]

REVIEW_SLUG = {"marker": w.IN_REVIEW, "sees": OWNER_OR_MODERATOR}
ARTICLE_REVIEWS = [
    *query(
        "articleReviewRequests",
        ANYONE,
        "query($slug: String!) { articleReviewRequests(slug: $slug) { articleSlug status } }",
        variables=lambda world: {"slug": world.review.article.slug},
        **REVIEW_SLUG,
    ),
    *query(
        "articleReviewComments",
        OWNER_OR_MODERATOR,
        "query($id: ID!) { articleReviewComments(requestId: $id) { body outdated } }",
        variables=_ids("id=review"),
    ),
    *query(
        "articleReviewQueue",
        ANYONE,
        "{ articleReviewQueue { articleSlug } }",
        marker=w.IN_REVIEW,
        sees=frozenset({"mentor"}),
    ),
    *mutation(
        "requestArticleReview",
        OWNER,
        "mutation($slug: String!) { requestArticleReview(slug: $slug) { ERRORS } }",
        variables=_slug("draft"),
    ),
    *mutation(
        "addArticleReviewComment",
        OWNER_OR_MODERATOR,
        "mutation($id: ID!) { addArticleReviewComment(requestId: $id, revision: 2, line: 1, "
        'body: "A clearer title?") { ERRORS } }',
        variables=_ids("id=review"),
    ),
    *mutation(
        "decideArticleReview",
        MODERATORS,
        'mutation($id: ID!) { decideArticleReview(requestId: $id, decision: "approved") '
        "{ ERRORS } }",
        variables=_ids("id=review"),
    ),
    *mutation(
        "withdrawArticleReview",
        OWNER_OR_MODERATOR,
        "mutation($id: ID!) { withdrawArticleReview(requestId: $id) { ERRORS } }",
        variables=_ids("id=review"),
    ),
    # The author opts in; their mentor (the world's mentor mentors the owner) or an admin decides.
    *mutation(
        "setAuthorArticleReview",
        OWNER_OR_MODERATOR,
        "mutation($id: ID!) { setAuthorArticleReview(userId: $id, required: true) { ERRORS } }",
        variables=lambda world: {"id": str(world.users["owner"].pk)},
    ),
    *mutation(
        "setProgramArticleReview",
        MODERATORS,
        "mutation($slug: String!) { setProgramArticleReview(slug: $slug, required: true) "
        "{ ERRORS } }",
        variables=lambda world: {"slug": world.cohort.program.slug},
    ),
]


def _payout(world: w.World, **values: object) -> dict[str, object]:
    return {"id": str(world.subjects["payout"]["pk"]), **values}


# Lists of one's own are empty for visitors, like notifications; money moves for admins only.
PAYMENTS = [
    *query("myPayments", ANYONE, "{ myPayments { results { txRef } } }"),
    *query("myBalance", ANYONE, "{ myBalance { currency amount } }"),
    *query(
        "payouts",
        ANYONE,
        "{ payouts { results { reference accountNumber } } }",
        marker="po-matrix",
        sees=OWNER,
    ),
    *mutation(
        "requestPayout",
        SIGNED_IN,
        'mutation { requestPayout(amount: "10.00", currency: "ETB") { payout { id } ERRORS } }',
    ),
    *mutation(
        "approvePayout",
        ADMIN,
        "mutation($id: ID!) { approvePayout(id: $id) { payout { status } ERRORS } }",
        variables=_payout,
    ),
    *mutation(
        "rejectPayout",
        ADMIN,
        "mutation($id: ID!, $reason: String!) { rejectPayout(id: $id, reason: $reason) "
        "{ payout { status } ERRORS } }",
        variables=lambda world: _payout(world, reason="Name mismatch"),
    ),
]

# Offers open a checkout at the test Chapa; nobody sponsors themselves (the owner is the learner).
FUNDING = [
    *query("bounties", ANYONE, "{ bounties { id amount } }"),
    *query("sponsorships", ANYONE, "{ sponsorships { id amount } }"),
    *mutation(
        "offerBounty",
        SIGNED_IN,
        'mutation($id: ID!) { offerBounty(challenge: $id, amount: "100") { checkoutUrl ERRORS } }',
        variables=_ids("id=challenge"),
    ),
    *mutation(
        "sponsor",
        NOT_THE_AUTHOR,
        'mutation($id: ID!) { sponsor(learner: $id, amount: "100") { checkoutUrl ERRORS } }',
        variables=lambda world: {"id": str(world.users["owner"].pk)},
    ),
]

GRAPHQL = [*QUERIES, *MUTATIONS, *COHORTS, *ARTICLE_REVIEWS, *PAYMENTS, *FUNDING]
