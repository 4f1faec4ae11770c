from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from nexus.core import views as core_views
from nexus.csp.api import CspReportView
from nexus.csp.middleware import inline_styles_allowed
from nexus.graphql import graphql_view
from nexus.journal.urls import join_urlpatterns
from nexus.knowledge.views import pages as knowledge_pages

urlpatterns = [
    path("", knowledge_pages.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("markdown/preview/", core_views.markdown_preview, name="markdown_preview"),
    path(settings.NEXUS_CSP_REPORT_PATH[1:], CspReportView.as_view(), name="csp-reports"),
    path("accounts/", include("nexus.accounts.urls")),
    path("challenges/", include("nexus.challenges.urls")),
    path("journal/", include("nexus.journal.urls")),
    *join_urlpatterns,
    path("mentorship/", include("nexus.mentorship.urls")),
    path("notifications/", include("nexus.notifications.urls")),
    path("payments/", include("nexus.payments.urls")),
    path("api/v1/", include("nexus.api")),
    path("", include("nexus.collab.urls")),
    path("mock/", include("nexus.collab.mock_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from a URL of its own: no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    # ReDoc injects <style> elements as it loads, before it can be handed a nonce.
    path(
        "api/redoc/",
        inline_styles_allowed(SpectacularRedocView.as_view(url_name="schema")),
        name="redoc",
    ),
    path("graphql/", graphql_view, name="graphql"),
    # One password change for everyone, limited like a login (nexus/accounts/login_limits.py).
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="accounts:password_change"),
        name="admin-password-change",
    ),
    path("admin/", admin.site.urls),
    path("", include("nexus.funding.urls")),
    path("", include("nexus.importer.urls")),
    path("", include("nexus.search.urls")),
    path("", include("nexus.knowledge.urls")),
]

handler400 = "nexus.core.views.bad_request"
handler403 = "nexus.core.views.permission_denied"
handler404 = "nexus.core.views.page_not_found"
handler500 = "nexus.core.views.server_error"
