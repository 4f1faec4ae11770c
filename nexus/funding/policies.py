"""Who may fund what: the services call these and raise, the front doors show or hide."""

from nexus.accounts.models import User, Viewer
from nexus.accounts.policies import is_signed_in
from nexus.challenges.models import Challenge
from nexus.journal import policies as journal_policies
from nexus.journal.models import Cohort


def can_offer_bounty(actor: Viewer, challenge: Challenge) -> bool:
    """Anyone signed in puts money on a challenge (whether it is still open is a field error)."""
    return is_signed_in(actor)


def can_sponsor_learner(actor: Viewer, learner: User) -> bool:
    """Anyone signed in sponsors another active learner, never themselves."""
    return is_signed_in(actor) and learner.is_active and actor.pk != learner.pk


def can_sponsor_cohort(actor: Viewer, cohort: Cohort) -> bool:
    """Anyone signed in pays into a cohort's fund while the cohort runs."""
    return is_signed_in(actor) and not cohort.is_archived


def can_grant_from_cohort_fund(actor: Viewer, cohort: Cohort) -> bool:
    """A cohort's own mentors and admins decide which member a cohort's fund helps."""
    return is_signed_in(actor) and journal_policies.can_manage_cohort(actor, cohort)


def can_view_own_funding(actor: Viewer, sponsor: User) -> bool:
    """A sponsor's list of their bounties and sponsorships (with their payment links) is theirs."""
    return is_signed_in(actor) and (actor.pk == sponsor.pk or actor.is_admin)
