"""The REST API under /api/v1/: one router, each app contributing its routes."""

from django.urls import include, path
from rest_framework_simplejwt.views import TokenBlacklistView, TokenRefreshView, TokenVerifyView

from nexus.accounts import api as accounts_api
from nexus.challenges import api as challenges_api
from nexus.collab.api import catalog as collab_catalog_api
from nexus.collab.api import feedback as collab_feedback_api
from nexus.collab.api import issues as collab_issues_api
from nexus.core.pagecache import public_cache
from nexus.core.routers import TypedRouter
from nexus.funding import api as funding_api
from nexus.importer import api as importer_api
from nexus.journal.api import urls as journal_urls
from nexus.knowledge.api import articles as knowledge_articles
from nexus.knowledge.api import others as knowledge_others
from nexus.mentorship.api import urls as mentorship_urls
from nexus.notifications import api as notifications_api
from nexus.payments.api import my_payments as payments_api
from nexus.payments.api import payouts as payouts_api
from nexus.payments.api_webhook import chapa_webhook
from nexus.search import api as search_api

# No format suffixes (/teams/x.json/): undocumented, and views that name their URL arguments
# failed on the extra `format` one with a 500.
router = TypedRouter()
router.include_format_suffixes = False
router.register("me/tokens", accounts_api.MeTokenViewSet, basename="me-token")
router.register("users", accounts_api.UserViewSet, basename="user")
router.register("imports", importer_api.ImportJobViewSet, basename="import")
router.register("teams", accounts_api.TeamViewSet, basename="team")
router.register("apis", collab_catalog_api.ApiViewSet, basename="api")
router.register("api-alerts", collab_catalog_api.AlertViewSet, basename="api-alert")
router.register("feedback", collab_feedback_api.FeedbackViewSet, basename="feedback")
router.register(
    "integration-issues", collab_issues_api.IntegrationIssueViewSet, basename="integration-issue"
)
router.register("technologies", knowledge_others.TechnologyViewSet, basename="technology")
router.register("articles", knowledge_articles.ArticleViewSet, basename="article")
router.register("bookmarks", knowledge_others.BookmarkViewSet, basename="bookmark")
router.register("paths", knowledge_others.LearningPathViewSet, basename="path")
router.register("challenges", challenges_api.ChallengeViewSet, basename="challenge")
router.register("solutions", challenges_api.SolutionViewSet, basename="solution")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")
router.register("subscriptions", notifications_api.SubscriptionViewSet, basename="subscription")
router.register("webhooks", notifications_api.WebhookViewSet, basename="webhook")
router.register("payments", payments_api.MyPaymentViewSet, basename="payment")
router.register("payouts", payouts_api.PayoutViewSet, basename="payout")
router.register("bounties", funding_api.BountyViewSet, basename="bounty")
router.register("sponsorships", funding_api.SponsorshipViewSet, basename="sponsorship")

# Search results for visitors are the same for all of them, and change with what is searched.
public_search = public_cache("search", "knowledge", "challenges", "collab", "people")

urlpatterns = [
    path("auth/register/", accounts_api.RegisterApi.as_view(), name="auth-register"),
    path(
        "auth/register/confirm/",
        accounts_api.RegisterConfirmApi.as_view(),
        name="auth-register-confirm",
    ),
    path("auth/token/", accounts_api.TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/token/verify/", TokenVerifyView.as_view(), name="auth-token-verify"),
    path("auth/token/blacklist/", TokenBlacklistView.as_view(), name="auth-token-blacklist"),
    path("auth/password-reset/", accounts_api.PasswordResetApi.as_view(), name="auth-reset"),
    path(
        "auth/password-reset/confirm/",
        accounts_api.PasswordResetConfirmApi.as_view(),
        name="auth-reset-confirm",
    ),
    path("me/", accounts_api.MeApi.as_view(), name="me"),
    path("me/password/", accounts_api.MePasswordApi.as_view(), name="me-password"),
    path(
        "me/log-out-everywhere/",
        accounts_api.MeLogOutEverywhereApi.as_view(),
        name="me-log-out-everywhere",
    ),
    path("search/", public_search(search_api.SearchApi.as_view()), name="search"),
    path(
        "search/autocomplete/",
        public_search(search_api.AutocompleteApi.as_view()),
        name="search-autocomplete",
    ),
    path("search/similar/", search_api.SimilarApi.as_view(), name="search-similar"),
    path("payments/chapa/webhook/", chapa_webhook, name="chapa-webhook"),
    path("", include(router.urls)),
    path("", include(journal_urls)),
    path("", include(mentorship_urls)),
]
