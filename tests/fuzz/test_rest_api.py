"""Schemathesis over the whole OpenAPI schema, in-process, signed in as a learner.

Every operation gets the schema's examples, generated valid and invalid requests (and, in
`make verify`, the coverage phase's boundary values); then linked operations run as a state
machine (a created resource's id fed to the calls that take it). Every check is on: no 5xx, status
codes, content types, headers and bodies as documented, invalid input refused, valid input
accepted, deleted resources gone, authentication not ignored.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config._checks import (
    MISSING_REQUIRED_HEADER_EXPECTED_STATUSES,
    NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES,
    POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
)

from tests.fuzz import harness
from tests.fuzz.harness import BUDGET

pytestmark = harness.MARKS

# positive_data_acceptance expects a request the schema allows to be accepted. These operations
# also apply rules no schema can state (a row the input names must exist, a secret must match,
# one field or the other, text normalised before it is judged); for them, a 400 naming the
# field is the right answer too.
ROW_MUST_EXIST = "names a row by id or slug, which must exist (and be visible)"
RULES_BEYOND_THE_SCHEMA = {
    "POST /api/v1/auth/password-reset/confirm/": "the token must be one we signed, not expired",
    "POST /api/v1/me/password/": "old_password must be the current password",
    "POST /api/v1/me/tokens/": "expires_at must be in the future",
    "PATCH /api/v1/me/": "avatar_url must be a URL Django accepts (a host with a TLD)",
    "POST /api/v1/apis/": "the URLs must be URLs Django accepts; team " + ROW_MUST_EXIST,
    "PATCH /api/v1/apis/{slug}/": "the URLs must be URLs Django accepts; team " + ROW_MUST_EXIST,
    "POST /api/v1/apis/{slug}/versions/": "a spec or a URL, one of them, and a spec that parses",
    "GET /api/v1/apis/{slug}/changes/": "version " + ROW_MUST_EXIST,
    "POST /api/v1/apis/{slug}/consumers/": "team " + ROW_MUST_EXIST,
    "GET /api/v1/articles/": "technology " + ROW_MUST_EXIST,
    "POST /api/v1/articles/": "technologies " + ROW_MUST_EXIST + "; tags are normalised slugs",
    "PUT /api/v1/articles/{slug}/": "technologies " + ROW_MUST_EXIST + "; tags too",
    "PATCH /api/v1/articles/{slug}/": "technologies " + ROW_MUST_EXIST + "; tags too",
    "POST /api/v1/articles/{slug}/comments/": "parent " + ROW_MUST_EXIST,
    "POST /api/v1/challenges/{id}/solutions/": "the body must hold text (the service checks it)",
    "POST /api/v1/challenges/{id}/comments/": "parent " + ROW_MUST_EXIST,
    "POST /api/v1/solutions/{id}/comments/": "parent " + ROW_MUST_EXIST,
    "POST /api/v1/paths/": "articles " + ROW_MUST_EXIST,
    "POST /api/v1/paths/{slug}/progress/": "article must be one of the path's articles",
    "POST /api/v1/journal/reflections/": "month may not be a month yet to come",
    "PATCH /api/v1/paths/{slug}/": "articles " + ROW_MUST_EXIST,
    "GET /api/v1/technologies/": "category " + ROW_MUST_EXIST,
    "GET /api/v1/challenges/": "author, technology and tag each " + ROW_MUST_EXIST,
    "POST /api/v1/challenges/": "technologies " + ROW_MUST_EXIST + "; tags are normalised slugs",
    "PATCH /api/v1/challenges/{id}/": "technologies " + ROW_MUST_EXIST + "; tags too",
    "GET /api/v1/solutions/": "author and challenge each " + ROW_MUST_EXIST,
    "GET /api/v1/feedback/": "author " + ROW_MUST_EXIST,
    "POST /api/v1/feedback/": "operation " + ROW_MUST_EXIST,
    "GET /api/v1/integration-issues/": "assignee " + ROW_MUST_EXIST,
    "POST /api/v1/integration-issues/": "api " + ROW_MUST_EXIST,
    "POST /api/v1/imports/": "a file or a URL, exactly one, and the URL a public git host",
    "POST /api/v1/journal/entries/": "articles and topics " + ROW_MUST_EXIST,
    "PATCH /api/v1/journal/entries/{id}/": "articles and topics " + ROW_MUST_EXIST,
    "POST /api/v1/teams/{slug}/members/": "user " + ROW_MUST_EXIST,
    "GET /api/v1/search/": "cursor must be one we gave; date_to may not precede date_from",
    "GET /api/v1/search/similar/": "a text, or a document's type and id together",
    "POST /api/v1/webhooks/": "the URL's host must resolve to a public address",
    "PATCH /api/v1/webhooks/{id}/": "the URL's host must resolve to a public address",
    "GET /api/v1/challenges/leaderboard/": "technology " + ROW_MUST_EXIST,
    "POST /api/v1/cohorts/": "program and mentors " + ROW_MUST_EXIST + "; names are unique",
    "PATCH /api/v1/cohorts/{cohort_id}/": "names are unique; the name must hold text",
    "PUT /api/v1/cohorts/{cohort_id}/mentors/": "mentors " + ROW_MUST_EXIST + " and mentor",
    "POST /api/v1/cohorts/{cohort_id}/members/": "user " + ROW_MUST_EXIST,
    "PUT /api/v1/cohorts/{cohort_id}/members/{user_id}/": "mentors must mentor the cohort",
    "POST /api/v1/cohorts/{cohort_id}/invitations/": "expires_at within the next 90 days",
    "POST /api/v1/invitations/{token}/accept/": "the token must be one we signed, still open",
    "POST /api/v1/articles/{slug}/review-requests/": (
        "only a draft; reviewers must be people who may review the author; rubric " + ROW_MUST_EXIST
    ),
    "POST /api/v1/articles/{slug}/review-requests/{request_id}/comments/": (
        "only an open round; the revision must exist and the line be one of its lines"
    ),
    "POST /api/v1/articles/{slug}/review-requests/{request_id}/decision/": (
        "scores must score the round's rubric, each within its scale; a comment with changes"
    ),
    "POST /api/v1/articles/{slug}/review-requests/{request_id}/withdraw/": "only an open round",
    "POST /api/v1/payouts/": (
        "an amount in the currency's precision, at most the caller's credit; payments must be on "
        "and a payout method set"
    ),
    "PUT /api/v1/payouts/method/": "bank_code must be one Chapa lists; the number 6 to 20 digits",
    "POST /api/v1/payouts/{id}/approve/": "only a payout waiting for approval",
    "POST /api/v1/payouts/{id}/reject/": "only a payout waiting for approval; a reason with text",
    "POST /api/v1/bounties/": (
        "challenge " + ROW_MUST_EXIST + " and be open; amount positive, in the currency's "
        "precision, at most PAYMENTS_MAX_AMOUNT"
    ),
    "POST /api/v1/sponsorships/": (
        "a learner or a cohort, exactly one, that " + ROW_MUST_EXIST + ", never oneself; amount "
        "positive, in the currency's precision, at most PAYMENTS_MAX_AMOUNT"
    ),
}
# An If-Match the schema allows may name an older representation: 412 is the right answer to it.
ACCEPTED = [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "412"]
ACCEPTED_BEYOND_THE_SCHEMA = [*ACCEPTED, "400"]
# A body over the size limit is refused before anything reads it: 413 is a rejection too.
REJECTED = [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, "413"]
# Without its required If-Match, a write is refused with 428 Precondition Required (RFC 6585).
MISSING_HEADER = [*MISSING_REQUIRED_HEADER_EXPECTED_STATUSES, "428"]

CONFIG = schemathesis.Config.from_dict(
    {
        # No NUL in generated text: PostgreSQL cannot store it, so every input refuses it with a
        # field error (DRF's validator, nexus.core.middleware for query parameters) that no schema
        # states; tests/core/test_errors.py covers that refusal.
        "generation": {
            "max-examples": BUDGET.rest_examples,
            "database": "none",
            "allow-x00": False,
        },
        "phases": {
            "coverage": {"enabled": BUDGET.rest_coverage},
            "stateful": {"max-steps": BUDGET.stateful_steps},
        },
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
            "negative_data_rejection": {"expected-statuses": REJECTED},
            "missing_required_header": {"expected-statuses": MISSING_HEADER},
        },
        "operations": [
            {
                "include-name": name,
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ACCEPTED_BEYOND_THE_SCHEMA}
                },
            }
            for name in RULES_BEYOND_THE_SCHEMA
        ],
    }
)


@pytest.fixture(scope="module")
def counted_app():
    return harness.CountedApp()


@pytest.fixture(scope="module")
def rest_schema(counted_app, django_db_setup, django_db_blocker):
    """The served schema, loaded once for the module through the app under test."""
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/", counted_app, config=CONFIG)


@pytest.fixture
def tally(counted_app, request):
    counted_app.tally = harness.Tally()
    yield counted_app.tally
    counted_app.tally.report(request.node, "schemathesis")
    assert counted_app.tally.server_errors == []


schema = schemathesis.pytest.from_fixture("rest_schema")


@schema.parametrize()
def test_every_operation_answers_as_documented(case, learner_headers, tally):
    tally.operations.add(case.operation.label)
    case.call_and_validate(headers=learner_headers)


def test_linked_operations_answer_as_documented(rest_schema, learner_headers, tally):
    class LearnerStateMachine(rest_schema.as_state_machine()):
        def get_call_kwargs(self, case):
            tally.operations.add(case.operation.label)
            return {"headers": learner_headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # Naming the headers tells the checks (ignored_auth) that the JWT is ours, not
            # generated, as case.call_and_validate(headers=...) does for the other test.
            case.validate_response(
                response,
                additional_checks=additional_checks,
                headers=learner_headers,
                transport_kwargs=kwargs,
                recorder=self.recorder,
            )

    LearnerStateMachine.run(
        settings=settings(
            max_examples=BUDGET.stateful_scenarios,
            stateful_step_count=BUDGET.stateful_steps,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
