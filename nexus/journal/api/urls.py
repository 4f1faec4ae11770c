"""The journal's REST routes, included by nexus/api.py."""

from django.urls import path, re_path

from nexus.core.routers import TypedSimpleRouter
from nexus.journal.api import cohorts, views
from nexus.journal.urls import INVITATION_TOKEN

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
    path("cohorts/", cohorts.CohortListApi.as_view(), name="cohort-list"),
    path("cohorts/<int:cohort_id>/", cohorts.CohortDetailApi.as_view(), name="cohort-detail"),
    path(
        "cohorts/<int:cohort_id>/mentors/",
        cohorts.CohortMentorsApi.as_view(),
        name="cohort-mentors",
    ),
    path(
        "cohorts/<int:cohort_id>/members/",
        cohorts.CohortMembersApi.as_view(),
        name="cohort-members",
    ),
    path(
        "cohorts/<int:cohort_id>/members/<int:user_id>/",
        cohorts.CohortMemberApi.as_view(),
        name="cohort-member",
    ),
    path(
        "cohorts/<int:cohort_id>/invitations/",
        cohorts.CohortInvitationsApi.as_view(),
        name="cohort-invitations",
    ),
    path(
        "cohorts/<int:cohort_id>/invitations/<int:invitation_id>/",
        cohorts.CohortInvitationApi.as_view(),
        name="cohort-invitation",
    ),
    re_path(
        rf"^invitations/(?P<token>{INVITATION_TOKEN})/accept/$",
        cohorts.InvitationAcceptApi.as_view(),
        name="invitation-accept",
    ),
    *router.urls,
]
