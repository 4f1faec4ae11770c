from django.urls import path

from nexus.funding import views

app_name = "funding"

urlpatterns = [
    path("funding/", views.my_funding, name="mine"),
    path("funding/bounties/<int:challenge_id>/", views.bounty_offer, name="bounty_offer"),
    path("funding/sponsor/learner/<int:user_id>/", views.sponsor_learner, name="sponsor_learner"),
    path("funding/sponsor/cohort/<int:cohort_id>/", views.sponsor_cohort, name="sponsor_cohort"),
    path("funding/cohorts/<int:cohort_id>/grants/", views.cohort_grants, name="cohort_grants"),
]
