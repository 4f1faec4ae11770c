"""The journal's REST routes, included by nexus/api.py."""

from django.urls import path, re_path

from nexus.core.routers import TypedSimpleRouter
from nexus.journal.api import views

router = TypedSimpleRouter()
router.register("journal/entries", views.EntryViewSet, basename="journal-entry")
router.register("journal/reflections", views.ReflectionViewSet, basename="journal-reflection")
router.register("programs", views.ProgramViewSet, basename="program")
router.register("milestones", views.MilestoneProgressViewSet, basename="milestone")

urlpatterns = [
    path("journal/evidence/", views.EvidenceApi.as_view(), name="journal-evidence"),
    re_path(
        r"^analytics/learners/(?P<learner>me|[0-9]+)/(?P<chart>[-a-zA-Z0-9_]+)/$",
        views.LearnerChartApi.as_view(),
        name="analytics-learner",
    ),
    path(
        "analytics/cohorts/<int:cohort_id>/<slug:chart>/",
        views.CohortChartApi.as_view(),
        name="analytics-cohort",
    ),
    path(
        "analytics/program/<slug:chart>/",
        views.ProgramChartApi.as_view(),
        name="analytics-program",
    ),
    *router.urls,
]
