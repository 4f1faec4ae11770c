"""The cohort's rubric charts over REST, as JSON or CSV like the journal's other charts."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.journal import selectors as journal_selectors
from nexus.journal.api.serializers import ChartSerializer
from nexus.journal.api.views import ChartApi
from nexus.mentorship import analytics, policies


@extend_schema(tags=["analytics"], responses=ChartSerializer)
class CohortRubricChartApi(ChartApi):
    """A cohort's rubric chart (rubric-scores, rubric-trend), for its mentors and admins."""

    def get(self, request: Request, cohort_id: int, chart: str) -> Response:
        function = analytics.RUBRIC_CHARTS.get(chart)
        if function is None:
            names = ", ".join(sorted(analytics.RUBRIC_CHARTS))
            raise NotFound(f"No chart named {chart!r}; there are {names}.")
        cohort = get_object_or_404(journal_selectors.cohort_list(), pk=cohort_id)
        if not policies.can_view_cohort_scores(request.user, cohort):
            raise PermissionDenied("Only the cohort's mentors and admins see its scores.")
        return self.respond(function(cohort))
