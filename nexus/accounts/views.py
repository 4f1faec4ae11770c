from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from nexus.accounts import selectors, services
from nexus.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SignupConfirmForm,
    SignupForm,
    TeamForm,
    TeamMemberForm,
)
from nexus.accounts.models import User
from nexus.accounts.policies import can_manage_team
from nexus.accounts.tokens import password_reset_tokens
from nexus.core.auth import authenticated_user
from nexus.core.htmx import render_page
from nexus.journal import policies as journal_policies
from nexus.journal import selectors as journal_selectors


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    base_url = request.build_absolute_uri("/")
    # Where to land once confirmed (an invitation's join page): carried through the e-mail.
    next_path = services.safe_next(request.POST.get("next") or request.GET.get("next"))
    if (
        request.method == "POST"
        and form.is_valid()
        and form.save(base_url=base_url, next_path=next_path)
    ):
        # The same page whether the address was free or taken: its mailbox learns which.
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form, "next": next_path})


def signup_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The e-mailed link: the password chosen at sign-up activates the account and logs in."""
    form = SignupConfirmForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and (user := form.save(request, uid=uidb64, token=token))
    ):
        login(request, user)
        messages.success(request, f"Welcome to Nexus, {user.display_name}!")
        return redirect(services.safe_next(request.GET.get("next")) or "accounts:profile")
    return render(request, "accounts/signup_confirm.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    form = ProfileForm(request.POST or None, initial=_profile_initial(user))
    if request.method == "POST" and form.is_valid() and form.save(user):
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    membership = journal_selectors.membership_of(learner=user)
    context = {
        "form": form,
        "token_form": ApiTokenForm(),
        "tokens": selectors.api_token_list(user=user),
        "membership": membership,
        "cohort_link": membership is not None
        and journal_policies.can_view_cohort_people(user, membership.cohort),
    }
    return render(request, "accounts/profile.html", context)


def _profile_initial(user: User) -> dict[str, object]:
    return {name: getattr(user, name) for name in services.PROFILE_FIELDS}


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    form = ApiTokenForm(request.POST)
    created = form.save(user) if form.is_valid() else None
    context = {
        "token_form": ApiTokenForm() if created else form,
        "tokens": selectors.api_token_list(user=user),
        "new_key": created[1] if created else None,
    }
    return _render_tokens(request, context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = authenticated_user(request)
    # Scoped to the user's own tokens: someone else's is a 404, not a 403.
    token = get_object_or_404(selectors.api_token_list(user=user), pk=token_id)
    services.api_token_revoke(actor=user, token=token)
    context = {"token_form": ApiTokenForm(), "tokens": selectors.api_token_list(user=user)}
    return _render_tokens(request, context)


def _render_tokens(request: HttpRequest, context: dict[str, object]) -> HttpResponse:
    return render_page(
        request, "accounts/profile_tokens.html", "accounts/partials/tokens.html", context
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and (user := form.save(request, authenticated_user(request)))
    ):
        # This session goes on; the account's other sessions and its JWTs end.
        update_session_auth_hash(request, user)
        messages.success(request, "Your password is changed. Every other device is logged out.")
        return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_POST
def log_out_everywhere(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    services.user_log_out_everywhere(actor=user, user=user)
    logout(request)
    messages.success(request, "You are logged out on every device, this one too.")
    return redirect("accounts:login")


def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(
            email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/")
        )
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")
    token_generator = password_reset_tokens

    def form_valid(self, form):
        messages.success(self.request, "Your password is set. Log in with it now.")
        return super().form_valid(form)


def team_list(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        if form.is_valid() and (team := form.save(authenticated_user(request))):
            messages.success(request, f"{team.name} is created; you are its owner.")
            return redirect("accounts:team_detail", team.slug)
    return render(
        request, "accounts/team_list.html", {"teams": selectors.team_list(), "form": form}
    )


def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(selectors.team_list(), slug=slug)
    can_manage = can_manage_team(request.user, team)
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST":
        # Refused before the form looks the e-mail up, so nobody else learns who has an account.
        if not can_manage:
            raise PermissionDenied
        if form.is_valid() and form.save(team, authenticated_user(request)):
            messages.success(request, "Member saved.")
            return redirect("accounts:team_detail", team.slug)
    return render(
        request, "accounts/team_detail.html", {"team": team, "form": form, "can_manage": can_manage}
    )
