from django.urls import path

from nexus.importer import views

app_name = "importer"

urlpatterns = [
    path("imports/", views.job_list, name="jobs"),
    path("imports/<int:pk>/", views.job_detail, name="job"),
]
