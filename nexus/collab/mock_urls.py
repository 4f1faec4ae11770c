from django.urls import path, re_path

from nexus.collab.mock import mock_endpoint

urlpatterns = [
    re_path(r"^(?P<slug>[-\w]+)/(?P<version>\d+|latest)/(?P<path>.*)$", mock_endpoint, name="mock"),
    path("<slug:slug>/<str:version>/", mock_endpoint),
]
