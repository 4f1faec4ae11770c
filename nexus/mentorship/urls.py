from django.urls import path

from nexus.mentorship import views

app_name = "mentorship"

urlpatterns = [
    path("rubrics/", views.rubric_list, name="rubrics"),
    path("rubrics/new/", views.rubric_edit, name="rubric_create"),
    path("rubrics/<int:rubric_id>/", views.rubric_edit, name="rubric_edit"),
    path("milestone-rubrics/", views.milestone_rubrics, name="milestone_rubrics"),
    path("milestones/<int:progress_id>/", views.milestone_thread, name="milestone_thread"),
]
