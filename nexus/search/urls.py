from django.urls import path

from nexus.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/autocomplete/", views.autocomplete, name="autocomplete"),
]
