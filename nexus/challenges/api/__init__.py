"""REST endpoints for challenges and solutions (serializers and views in their own modules)."""

from nexus.challenges.api.views import ChallengePagination, ChallengeViewSet, SolutionViewSet

__all__ = ["ChallengePagination", "ChallengeViewSet", "SolutionViewSet"]
