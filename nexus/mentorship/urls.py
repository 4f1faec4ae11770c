from django.urls import path

from nexus.mentorship import views

app_name = "mentorship"

urlpatterns = [
    path("milestones/<int:progress_id>/", views.milestone_thread, name="milestone_thread"),
]
