"""Mentorship's REST routes, included by nexus/api.py (milestone actions live on the journal's
/milestones/ routes)."""

from django.urls import path

from nexus.core.routers import TypedSimpleRouter
from nexus.mentorship.api import articles, charts, views

router = TypedSimpleRouter()
router.register("rubrics", views.RubricViewSet, basename="rubric")
router.register("milestone-rubrics", views.MilestoneRubricViewSet, basename="milestone-rubric")

ROUND = "articles/<slug:slug>/review-requests/<int:request_id>/"

urlpatterns = [
    path(
        "analytics/cohorts/<int:cohort_id>/rubrics/<slug:chart>/",
        charts.CohortRubricChartApi.as_view(),
        name="analytics-cohort-rubrics",
    ),
    path(
        "articles/<slug:slug>/review-requests/",
        articles.ReviewRequestListApi.as_view(),
        name="article-review-requests",
    ),
    path(ROUND, articles.ReviewRequestDetailApi.as_view(), name="article-review-request"),
    path(
        f"{ROUND}comments/",
        articles.ReviewCommentListApi.as_view(),
        name="article-review-comments",
    ),
    path(f"{ROUND}decision/", articles.ReviewDecisionApi.as_view(), name="article-review-decision"),
    path(f"{ROUND}withdraw/", articles.ReviewWithdrawApi.as_view(), name="article-review-withdraw"),
    path("review-queue/", articles.ReviewQueueApi.as_view(), name="article-review-queue"),
    path(
        "users/<int:user_id>/article-review/",
        articles.AuthorReviewSettingApi.as_view(),
        name="article-review-author-setting",
    ),
    path(
        "programs/<slug:slug>/article-review/",
        articles.ProgramReviewSettingApi.as_view(),
        name="article-review-program-setting",
    ),
    *router.urls,
]
