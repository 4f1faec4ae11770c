from django.urls import path

from nexus.challenges import views

app_name = "challenges"

urlpatterns = [
    path("", views.challenge_list, name="list"),
    path("new/", views.challenge_create, name="create"),
    path("similar/", views.similar, name="similar"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("mine/", views.my_challenges, name="mine"),
    path("users/<int:user_id>/", views.user_profile, name="user"),
    path("<int:challenge_id>/", views.challenge_detail, name="detail"),
    path("<int:challenge_id>/vote/", views.challenge_vote, name="vote"),
    path("<int:challenge_id>/solutions/", views.solution_create, name="answer"),
    path("<int:challenge_id>/comments/", views.comment_create, name="comment"),
    path("<int:challenge_id>/status/", views.challenge_status, name="status"),
    path("solutions/<int:solution_id>/vote/", views.solution_vote, name="solution_vote"),
    path("solutions/<int:solution_id>/accept/", views.solution_accept, name="accept"),
    path("solutions/<int:solution_id>/review/", views.solution_review, name="solution_review"),
]
