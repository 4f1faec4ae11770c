from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from nexus.accounts import login_limits, services
from nexus.accounts.models import ApiToken, Team, TeamMembership, TeamRole, Track, User
from nexus.core.client_address import client_address
from nexus.core.forms import ServiceForm


class PasswordCheckingForm(ServiceForm):
    """A form whose service checks a password through the login limiter: a refusal shows next to
    the password field, and LoginRefusalMiddleware gives the page its status and Retry-After."""

    password_field = "password"

    def call_limited_service(self, request: HttpRequest, service: Any, **kwargs: Any) -> Any:
        try:
            return self.call_service(service, client_address=client_address(request), **kwargs)
        except login_limits.LoginRefused as refusal:
            login_limits.remember_refusal(request, refusal)
            self.add_error(self.password_field, ValidationError(refusal.message, code=refusal.code))
            return None


class SignupForm(ServiceForm):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(max_length=80)
    track = forms.ChoiceField(choices=Track.choices, initial=Track.BACKEND)
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def save(self, *, base_url: str, next_path: str = "") -> bool:
        self.call_service(
            services.user_register, base_url=base_url, next_path=next_path, **self.cleaned_data
        )
        return not self.errors


class SignupConfirmForm(PasswordCheckingForm):
    password = forms.CharField(
        strip=False,
        help_text="The password you chose when you signed up.",
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "current-password"}),
    )

    def save(self, request: HttpRequest, *, uid: str, token: str) -> User | None:
        return self.call_limited_service(
            request, services.user_confirm_signup, uid=uid, token=token, **self.cleaned_data
        )


class LimitedLoginMixin:
    """A login form that says why the limiter refused it, instead of "wrong password"."""

    request: Any

    def get_invalid_login_error(self) -> ValidationError:
        refusal = login_limits.refusal_of(self.request) if self.request else None
        if refusal is not None:
            return ValidationError(refusal.message, code=refusal.code)
        return super().get_invalid_login_error()  # type: ignore[misc]


class LoginForm(LimitedLoginMixin, auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class AdminLoginForm(LimitedLoginMixin, AdminAuthenticationForm):
    pass


class ProfileForm(ServiceForm):
    display_name = forms.CharField(max_length=80)
    bio = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    avatar_url = forms.URLField(max_length=500, required=False, label="Avatar URL")
    track = forms.ChoiceField(choices=Track.choices)

    def save(self, user: User) -> User | None:
        return self.call_service(
            services.user_update_profile, actor=user, user=user, **self.cleaned_data
        )


class PasswordChangeForm(PasswordCheckingForm):
    password_field = "old_password"

    old_password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def save(self, request: HttpRequest, user: User) -> User | None:
        return self.call_limited_service(
            request, services.user_change_password, actor=user, user=user, **self.cleaned_data
        )


class PasswordResetForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ApiTokenForm(ServiceForm):
    name = forms.CharField(max_length=80)

    def save(self, user: User) -> tuple[ApiToken, str] | None:
        return self.call_service(services.api_token_create, user=user, **self.cleaned_data)


class TeamForm(ServiceForm):
    name = forms.CharField(max_length=80)
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def save(self, creator: User) -> Team | None:
        return self.call_service(services.team_create, creator=creator, **self.cleaned_data)


class TeamMemberForm(ServiceForm):
    email = forms.EmailField(label="Member's e-mail")
    role = forms.ChoiceField(choices=TeamRole.choices)

    def save(self, team: Team, actor: User) -> TeamMembership | None:
        user = User.objects.filter(email__iexact=self.cleaned_data["email"], is_active=True).first()
        if user is None:
            self.add_error("email", "Nobody has an account with this e-mail address.")
            return None
        return self.call_service(
            services.team_member_set,
            actor=actor,
            team=team,
            user=user,
            role=self.cleaned_data["role"],
        )
