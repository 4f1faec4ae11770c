from django.urls import path

from nexus.journal import views

app_name = "journal"

urlpatterns = [
    path("", views.month_view, name="month"),
    path("entries/new/", views.entry_create, name="entry_create"),
    path("entries/<int:entry_id>/", views.entry_detail, name="entry"),
    path("entries/<int:entry_id>/edit/", views.entry_edit, name="entry_edit"),
    path("reflections/<str:month>/", views.reflection_save, name="reflection_save"),
    path("people/<int:user_id>/", views.person, name="person"),
    path("milestones/", views.milestones, name="milestones"),
    path("milestones/<int:progress_id>/", views.milestone_update, name="milestone_update"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:progress_id>/", views.review, name="review"),
    path("dashboard/", views.learner_dashboard, name="dashboard"),
    path("cohorts/", views.cohort_list, name="cohorts"),
    path("cohorts/<int:cohort_id>/", views.cohort_dashboard, name="cohort_dashboard"),
    path("analytics/", views.program_analytics, name="analytics"),
    path("programs/", views.program_list, name="programs"),
]
