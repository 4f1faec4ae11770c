"""Who may do what is decided in one place: services call their app's policies and raise.

Front doors (REST, GraphQL, web pages, the CLI) may call a policy too, to show or hide an action,
but never instead of the service. This test reads every service module and fails when a public
service that writes calls no policy, unless it is a system operation listed below with the reason
no person's permission is involved.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

NEXUS = Path(__file__).resolve().parents[2] / "nexus"
# Calls that change stored state, hand work on, or announce a change.
WRITES = {
    *("save", "create", "update", "delete", "bulk_create", "bulk_update", "update_or_create"),
    *("get_or_create", "add", "remove", "set", "clear", "publish", "enqueue", "enqueue_on_commit"),
}

# "app.module.function" -> why no person's permission is checked there.
SYSTEM_SERVICES: dict[str, str] = {
    "accounts.services.user_register": "signing up is open to anyone; the e-mail is the identity",
    "accounts.services.user_confirm_signup": "the e-mailed token and the sign-up password are the permission",
    "accounts.services.api_token_mark_used": "authentication records a token's use",
    "accounts.services.users_cohort_label_set": "journal's membership services, which checked who asked, keep the label",
    "accounts.services.pending_signups_delete_expired": "a periodic clean-up task",
    "accounts.services.refresh_tokens_delete_expired": "a periodic clean-up task",
    "accounts.services.password_reset_request": "anyone may ask; only the mailbox owner gets the link",
    "accounts.services.password_reset_confirm": "the signed, expiring token is the permission",
    "notifications.services.subscriptions_follow_from_events": "an event handler follows for the actor",
    "notifications.services.notifications_delete_old_read": "a periodic clean-up task",
    "notifications.services.webhook_delivery_attempt": "the delivery task, for an existing webhook",
    "notifications.services.email_unsubscribe": "the signed link in the e-mail is the permission",
    "search.services.documents_upsert": "the index follows events; what a viewer sees is filtered on read",
    "search.services.document_delete": "the index follows events",
    "search.services.objects_reindex": "a management command and the index tasks",
    "search.services.index_rebuild": "a management command",
    "search.services.index_sync": "a periodic task re-indexes what changed since its last sweep",
    "importer.services.import_job_run": "the import task runs a job its owner was allowed to start",
    "importer.services.import_jobs_resume_interrupted": "a periodic task begins again jobs owners started",
    "collab.services.catalog.spec_version_store": (
        "stores a version for callers that checked who asked: spec_version_create (a maintainer), "
        "the URL import task (a maintainer asked), own_api_refresh (the deploy)"
    ),
    "collab.services.catalog.own_api_refresh": "the deploy's catalog_own_api command",
    "collab.services.consumers.alert_consumers": "storing a breaking version alerts its consumers",
    "collab.services.imports.spec_import_run": "the task runs an import a maintainer asked for",
    "journal.services.cohorts.cohort_sync_progress": "follows program changes for every learner",
    "journal.services.journal.learner_topics_refresh": "an event handler keeps a learner's topic counts",
    "mentorship.services.reminders.milestone_reminders_send": "the beat's daily due/overdue reminders",
    "knowledge.services.articles.refresh_links_to_many": "a task re-renders links after a title change",
    "knowledge.services.tags.tags_ensure": "called by services that already checked their write",
    "funding.services.bounties.bounty_paid": "payments calls it once Chapa confirmed the charge",
    "funding.services.bounties.bounty_payment_failed": "payments calls it when a charge ends unpaid",
    "funding.services.bounties.bounties_award": "the solution.accepted handler; accept_solution checked who asked",
    "funding.services.bounties.bounty_expire": "the hourly expiry job and the award handler",
    "funding.services.refunds.bounty_refund": "the refund task, for a sponsor who chose a refund",
    "funding.services.sponsorships.sponsorship_paid": "payments calls it once Chapa confirmed the charge",
    "funding.services.sponsorships.sponsorship_payment_failed": "payments calls it when a charge ends unpaid",
    "csp.services.violations_record": "browsers report what a page blocked; no person is acting",
    "payments.services.charges.payment_confirm": "Chapa's verify answer settles a charge (asked after the payer's return, a webhook or the reconciliation)",
    "payments.services.charges.payment_end_if_abandoned": "the reconciliation ends a checkout nobody finished",
    "payments.services.charges.payment_expire": "the reconciliation ends a checkout nobody finished",
    "payments.services.reconciliation.payments_reconcile": "the beat job compares Chapa's records with the ledger",
    "payments.services.payouts.payout_send": "the send task, for a payout its owner asked for (and an admin approved)",
    "payments.services.payouts.payout_settle": "Chapa's answer (a signed webhook or its verify endpoint) settles a transfer",
    "payments.services.receipts.payment_receipt_send": "an event handler announces a payment's receipt to its payer",
}


@dataclass(frozen=True)
class Service:
    name: str
    writes: bool
    checks_a_policy: bool


def _policy_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if node.module.endswith("policies") or alias.name == "policies":
                    names.add(alias.asname or alias.name)
    return names


def _calls_a_policy(function: ast.FunctionDef, policy_names: set[str]) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id in policy_names:
            return True
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id in policy_names or node.value.id.endswith("policies"))
        ):
            return True
    return False


def _writes(function: ast.FunctionDef) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in WRITES
        for node in ast.walk(function)
    )


def _with_helpers(
    function: ast.FunctionDef, helpers: dict[str, ast.FunctionDef]
) -> list[ast.FunctionDef]:
    """The function and the module's private helpers it calls, directly or through each other: a
    write (or a check) moved into `_store()` is still the service's own."""
    found, todo = [], [function]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo += [
            helpers[node.func.id]
            for node in ast.walk(current)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in helpers
        ]
    return found


def services() -> list[Service]:
    modules = [*NEXUS.glob("*/services.py"), *NEXUS.glob("*/services/*.py")]
    found = []
    for path in sorted(modules):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        dotted = ".".join(path.relative_to(NEXUS).with_suffix("").parts)
        policy_names = _policy_names(tree)
        functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
        helpers = {node.name: node for node in functions if node.name.startswith("_")}
        for node in functions:
            if not node.name.startswith("_"):
                body = _with_helpers(node, helpers)
                found.append(
                    Service(
                        name=f"{dotted}.{node.name}",
                        writes=any(_writes(part) for part in body),
                        checks_a_policy=any(_calls_a_policy(part, policy_names) for part in body),
                    )
                )
    return found


WRITING_SERVICES = [service for service in services() if service.writes]


@pytest.mark.parametrize("service", WRITING_SERVICES, ids=lambda service: service.name)
def test_a_service_that_writes_checks_a_policy_or_is_a_system_operation(service):
    if service.name in SYSTEM_SERVICES:
        assert not service.checks_a_policy, f"{service.name} checks a policy: take it off the list"
        return
    assert service.checks_a_policy, (
        f"{service.name} writes but calls no policy: call one from the app's policies and raise "
        "PermissionDenied, or list it in SYSTEM_SERVICES with the reason no permission applies"
    )


def test_every_system_service_listed_exists_and_writes():
    assert set(SYSTEM_SERVICES) <= {service.name for service in WRITING_SERVICES}


def test_the_scan_sees_what_it_must():
    # Guards the guard: the scan must find the services and the policy checks it is about.
    by_name = {service.name: service for service in services()}
    assert len(by_name) > 50
    assert by_name["challenges.services.votes.challenge_vote"].writes
    assert by_name["challenges.services.challenges.challenge_update"].checks_a_policy
    # It writes only through a private helper of its module.
    assert by_name["collab.services.catalog.spec_version_store"].writes
