"""The journal's background work: each task takes ids and is safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from nexus.core import clock
from nexus.journal import selectors
from nexus.journal.models import InvitationState


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_cohort_invitation(invitation_id: int) -> bool:
    """E-mail an invitation's link to its address, unless it no longer works."""
    invitation = selectors.invitation_get(invitation_id=invitation_id)
    if invitation is None or not invitation.email:
        return False
    if invitation.state(clock.now()) != InvitationState.OPEN:
        return False
    path = reverse("journal_join", kwargs={"token": invitation.token})
    context = {
        "invitation": invitation,
        "cohort": invitation.cohort,
        "inviter": invitation.created_by,
        "join_url": settings.NEXUS_BASE_URL.rstrip("/") + path,
    }
    template = "journal/email/cohort_invitation"
    message = EmailMultiAlternatives(
        subject=f"You are invited to join {invitation.cohort.name} on Nexus",
        body=render_to_string(f"{template}.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
    return True
