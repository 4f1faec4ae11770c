"""mentorship's REST routes, included by nexus/api.py."""

from django.urls import path

from nexus.mentorship.api import articles

ROUND = "articles/<slug:slug>/review-requests/<int:request_id>/"

urlpatterns = [
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
]
