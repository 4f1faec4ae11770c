from django.urls import path

from nexus.mentorship import article_views, views

app_name = "mentorship"

urlpatterns = [
    path("rubrics/", views.rubric_list, name="rubrics"),
    path("rubrics/new/", views.rubric_edit, name="rubric_create"),
    path("rubrics/<int:rubric_id>/", views.rubric_edit, name="rubric_edit"),
    path("milestone-rubrics/", views.milestone_rubrics, name="milestone_rubrics"),
    path("milestones/<int:progress_id>/", views.milestone_thread, name="milestone_thread"),
    path("reviews/", article_views.queue, name="review-queue"),
    path("reviews/article/<slug:slug>/", article_views.article_reviews, name="article-reviews"),
    path(
        "reviews/article/<slug:slug>/setting/",
        article_views.review_setting,
        name="article-review-setting",
    ),
    path(
        "reviews/programs/<slug:slug>/setting/",
        article_views.program_review_setting,
        name="program-review-setting",
    ),
    path("reviews/articles/<int:request_id>/", article_views.review_page, name="article-review"),
    path(
        "reviews/articles/<int:request_id>/comments/",
        article_views.comment_add,
        name="article-review-comment",
    ),
    path(
        "reviews/articles/<int:request_id>/decision/",
        article_views.decide,
        name="article-review-decide",
    ),
    path(
        "reviews/articles/<int:request_id>/withdraw/",
        article_views.withdraw,
        name="article-review-withdraw",
    ),
]
