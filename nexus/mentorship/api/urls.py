"""Mentorship's REST routes, included by nexus/api.py (milestone actions live on the journal's
/milestones/ routes)."""

from django.urls import path

from nexus.core.routers import TypedSimpleRouter
from nexus.mentorship.api import charts, views

router = TypedSimpleRouter()
router.register("rubrics", views.RubricViewSet, basename="rubric")
router.register("milestone-rubrics", views.MilestoneRubricViewSet, basename="milestone-rubric")

urlpatterns = [
    path(
        "analytics/cohorts/<int:cohort_id>/rubrics/<slug:chart>/",
        charts.CohortRubricChartApi.as_view(),
        name="analytics-cohort-rubrics",
    ),
    *router.urls,
]
