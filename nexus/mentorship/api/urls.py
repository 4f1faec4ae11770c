"""Mentorship's REST routes, included by nexus/api.py (milestone actions live on the journal's
/milestones/ routes)."""

from nexus.core.routers import TypedSimpleRouter
from nexus.mentorship.api import views

router = TypedSimpleRouter()
router.register("rubrics", views.RubricViewSet, basename="rubric")
router.register("milestone-rubrics", views.MilestoneRubricViewSet, basename="milestone-rubric")

urlpatterns = router.urls
