from celery import shared_task
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode

from nexus.accounts import services
from nexus.accounts.models import User
from nexus.accounts.tokens import password_reset_tokens, signup_tokens


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset_email_to_address(email: str, base_url: str) -> bool:
    """E-mail a reset link to the active account with this address; anyone else gets nothing."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    return _send_password_reset_email(user, base_url)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset_email(user_id: int, base_url: str) -> bool:
    """E-mail a password-reset link to a user; a vanished or inactive user gets nothing.

    Requests now enqueue send_password_reset_email_to_address; this name stays for the messages
    earlier releases left in the queue.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    return _send_password_reset_email(user, base_url)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_signup_email(email: str, base_url: str, next_path: str = "") -> bool:
    """E-mail whoever owns an address someone signed up with: the confirmation link of a pending
    sign-up (carrying where to go on to, such as an invitation), or a notice to the owner of an
    account that already has the address."""
    user = User.objects.filter(email=email).first()
    if user is None:
        return False
    if user.signup_pending:
        path = reverse("accounts:signup_confirm", kwargs=_link_kwargs(user, signup_tokens))
        if next_path := services.safe_next(next_path):
            path += "?" + urlencode({"next": next_path})
        context = {"user": user, "confirm_url": _absolute(base_url, path)}
        _send(user, "Confirm your Nexus account", "accounts/email/signup_confirm", context)
    else:
        context = {
            "user": user,
            "login_url": _absolute(base_url, reverse("accounts:login")),
            "reset_url": _absolute(base_url, reverse("accounts:password_reset")),
        }
        _send(user, "You already have a Nexus account", "accounts/email/signup_taken", context)
    return True


def _send_password_reset_email(user: User, base_url: str) -> bool:
    path = reverse(
        "accounts:password_reset_confirm", kwargs=_link_kwargs(user, password_reset_tokens)
    )
    context = {"user": user, "reset_url": _absolute(base_url, path)}
    _send(user, "Reset your Nexus password", "accounts/email/password_reset", context)
    return True


def _link_kwargs(user: User, tokens: PasswordResetTokenGenerator) -> dict[str, str]:
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": tokens.make_token(user)}


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _send(user: User, subject: str, template: str, context: dict[str, object]) -> None:
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{template}.txt", context), to=[user.email]
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


@shared_task
def delete_expired_signups() -> int:
    """Periodic (daily): sign-ups whose confirmation link has expired."""
    return services.pending_signups_delete_expired()


@shared_task
def delete_expired_refresh_tokens() -> int:
    """Periodic (daily): refresh tokens past their expiry."""
    return services.refresh_tokens_delete_expired()
