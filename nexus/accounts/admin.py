from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from nexus.accounts import services
from nexus.accounts.forms import AdminLoginForm
from nexus.accounts.models import ApiToken, Team, TeamMembership, User
from nexus.core.auth import authenticated_user

# The admin's login is limited like every other (its own password change redirects to the
# site's page, nexus/urls.py).
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "display_name", "role", "track", "cohort", "is_active")
    list_filter = ("role", "track", "is_active", "is_staff")
    search_fields = ("email", "display_name", "cohort")
    # The current cohort's name, kept by the journal's memberships (people join in the app).
    readonly_fields = ("cohort",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "bio", "avatar_url", "track", "cohort")}),
        (
            "Access",
            {
                "fields": (
                    "role",
                    "is_active",
                    "signup_pending",
                    "is_staff",
                    "is_superuser",
                    "groups",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("email", "display_name", "role", "password1", "password2")}),
    )
    readonly_fields = ("signup_pending",)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        super().save_model(request, obj, form, change)
        if deactivating:
            # Through the service, so that the account's sessions and JWTs end with it.
            services.user_deactivate(actor=authenticated_user(request), user=obj)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    search_fields = ("name", "user__email", "prefix")
    readonly_fields = ("prefix", "key_hash", "last_used_at")
    list_select_related = ("user",)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    inlines = (TeamMembershipInline,)
