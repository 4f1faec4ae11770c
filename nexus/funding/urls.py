from django.urls import path

from nexus.funding import views

app_name = "funding"

urlpatterns = [
    path("funding/", views.my_funding, name="mine"),
]
