"""What the admin calls each model: plurals a reader would write ("deliveries", not "deliverys")."""

import re

import pytest
from django.apps import apps

NEXUS_MODELS = [model for model in apps.get_models() if model.__module__.startswith("nexus.")]
# Django's default plural adds an "s": wrong after a consonant and "y", and after s, x, ch, sh.
NO_PLAIN_S = re.compile(r"([^aeiou]y|s|x|ch|sh)$")
# Capitalised by the admin to "Apis" and "Api tokens" otherwise.
ACRONYM_IN_LOWER_CASE = re.compile(r"\b(api|apis|url|http|json|jwt)\b")


@pytest.mark.parametrize("model", NEXUS_MODELS, ids=lambda model: model._meta.label)
def test_every_model_has_a_plural_a_reader_would_write(model):
    name, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
    assert not (NO_PLAIN_S.search(name) and plural == f"{name}s"), plural
    assert not ACRONYM_IN_LOWER_CASE.search(f"{name} {plural}"), f"{name} / {plural}"


def test_the_admin_index_lists_webhook_deliveries(admin_user, client):
    client.force_login(admin_user)
    page = client.get("/admin/").content.decode()
    assert "Webhook deliveries" in page
    assert "deliverys" not in page
