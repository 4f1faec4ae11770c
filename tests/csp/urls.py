"""The site's URLs plus a view that sets its own Content-Security-Policy, as mock routes do."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from nexus.urls import urlpatterns as site_urlpatterns

OWN_POLICY = "sandbox; default-src 'none'"


def sets_its_own_policy(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("<p>user-supplied content</p>")
    response["Content-Security-Policy"] = OWN_POLICY
    return response


urlpatterns = [path("own-policy/", sets_its_own_policy), *site_urlpatterns]
