from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from nexus.core import views as core_views
from nexus.graphql import graphql_view
from nexus.knowledge.views import pages as knowledge_pages

urlpatterns = [
    path("", knowledge_pages.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("accounts/", include("nexus.accounts.urls")),
    path("challenges/", include("nexus.challenges.urls")),
    path("journal/", include("nexus.journal.urls")),
    path("notifications/", include("nexus.notifications.urls")),
    path("api/v1/", include("nexus.api")),
    path("", include("nexus.collab.urls")),
    path("mock/", include("nexus.collab.mock_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("graphql/", graphql_view, name="graphql"),
    path("admin/", admin.site.urls),
    path("", include("nexus.importer.urls")),
    path("", include("nexus.search.urls")),
    path("", include("nexus.knowledge.urls")),
]

handler400 = "nexus.core.views.bad_request"
handler403 = "nexus.core.views.permission_denied"
handler404 = "nexus.core.views.page_not_found"
handler500 = "nexus.core.views.server_error"
