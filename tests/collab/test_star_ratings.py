"""Ratings as stars: five radio groups named "n of 5 stars", a saved rating announced through the
page's status line, and a refused one answered 400 with the error next to its stars."""

import pytest
from django.test import Client

from nexus.collab.models import EndpointFeedback, Operation

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operation_url(pets_api, pets_v1):
    operation = Operation.objects.get(version=pets_v1, key="POST /pets")
    return f"/apis/{pets_api.slug}/operations/{operation.pk}/"


def test_each_score_is_a_group_of_star_radios(other_user, operation_url):
    page = signed_in(other_user).get(operation_url).content.decode()
    assert page.count('class="star-field"><legend>') == 5
    assert "<legend>Error messages</legend>" in page
    assert 'type="radio" name="naming" value="3" id="id_naming_3"' in page
    assert '<span class="visually-hidden">3 of 5 stars</span>' in page
    assert 'id="id_naming_0" class="star-input star-none" checked' in page  # "Not rated" first
    assert '<div id="feedback-status" role="status"></div>' in page
    assert "<select" not in page.split('data-testid="feedback-form"')[1].split("</form>")[0]


def test_an_htmx_save_fills_the_status_line(other_user, operation_url):
    response = signed_in(other_user).post(
        operation_url, {"naming": "4", "performance": "2"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert '<div id="feedback-status" hx-swap-oob="innerHTML"><p class="saved-confirmation"' in body
    assert "Saved your rating." in body
    saved = EndpointFeedback.objects.get()
    assert (saved.naming, saved.performance, saved.documentation) == (4, 2, None)


def test_a_save_without_htmx_says_so_after_the_redirect(other_user, operation_url):
    client = signed_in(other_user)
    response = client.post(operation_url, {"naming": "5"}, follow=True)
    assert response.redirect_chain[0][1] == 302
    assert '<p class="message message-success" role="status">Saved your rating.</p>' in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [({"naming": "9"}, "naming"), ({"naming": "three"}, "naming"), ({"comment": "hm"}, "naming")],
)
def test_a_refused_rating_is_a_400_with_the_error_by_its_stars(
    other_user, operation_url, data, field
):
    response = signed_in(other_user).post(operation_url, data)
    assert response.status_code == 400
    assert f'class="field-error" data-field="{field}"' in response.content.decode()
    assert not EndpointFeedback.objects.exists()
