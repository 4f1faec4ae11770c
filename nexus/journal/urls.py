from django.urls import path, re_path

from nexus.journal import cohort_views, views

app_name = "journal"

# A signed invitation: the key, a colon, the signature (both URL-safe base64).
INVITATION_TOKEN = r"[-\w]{1,64}:[-\w]{1,100}"

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
    path("cohorts/new/", cohort_views.cohort_create, name="cohort_create"),
    path("cohorts/<int:cohort_id>/", views.cohort_dashboard, name="cohort_dashboard"),
    path("cohorts/<int:cohort_id>/people/", cohort_views.cohort_detail, name="cohort"),
    path("cohorts/<int:cohort_id>/edit/", cohort_views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:cohort_id>/archive/", cohort_views.cohort_archive, name="cohort_archive"),
    path("cohorts/<int:cohort_id>/mentors/", cohort_views.cohort_mentors, name="cohort_mentors"),
    path(
        "cohorts/<int:cohort_id>/people/search/",
        cohort_views.people_search,
        name="cohort_people_search",
    ),
    path("cohorts/<int:cohort_id>/members/", cohort_views.member_add, name="cohort_member_add"),
    path(
        "cohorts/<int:cohort_id>/members/<int:user_id>/mentors/",
        cohort_views.member_mentors,
        name="cohort_member_mentors",
    ),
    path(
        "cohorts/<int:cohort_id>/members/<int:user_id>/remove/",
        cohort_views.member_remove,
        name="cohort_member_remove",
    ),
    path(
        "cohorts/<int:cohort_id>/invitations/",
        cohort_views.invitation_create,
        name="cohort_invitation_create",
    ),
    path(
        "cohorts/<int:cohort_id>/invitations/<int:invitation_id>/revoke/",
        cohort_views.invitation_revoke,
        name="cohort_invitation_revoke",
    ),
    path("analytics/", views.program_analytics, name="analytics"),
    path("programs/", views.program_list, name="programs"),
]

# The join page lives at the site's root (/join/<token>/), outside the journal's namespace.
join_urlpatterns = [
    re_path(rf"^join/(?P<token>{INVITATION_TOKEN})/$", cohort_views.join, name="journal_join"),
]
