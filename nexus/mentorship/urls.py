from django.urls import path

from nexus.mentorship import views

app_name = "mentorship"

urlpatterns = [
    path("reviews/", views.queue, name="review-queue"),
    path("reviews/article/<slug:slug>/", views.article_reviews, name="article-reviews"),
    path(
        "reviews/article/<slug:slug>/setting/", views.review_setting, name="article-review-setting"
    ),
    path("reviews/articles/<int:request_id>/", views.review_page, name="article-review"),
    path(
        "reviews/articles/<int:request_id>/comments/",
        views.comment_add,
        name="article-review-comment",
    ),
    path(
        "reviews/articles/<int:request_id>/decision/",
        views.decide,
        name="article-review-decide",
    ),
    path(
        "reviews/articles/<int:request_id>/withdraw/",
        views.withdraw,
        name="article-review-withdraw",
    ),
]
