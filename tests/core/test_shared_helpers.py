"""Core's helpers for every app's front doors, and core's promise to import no feature app."""

import ast
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from nexus.core.auth import authenticated_user
from nexus.core.forms import ServiceForm

CORE = Path(__file__).resolve().parents[2] / "nexus" / "core"
FEATURE_APPS = (
    "accounts",
    "knowledge",
    "challenges",
    "journal",
    "collab",
    "search",
    "notifications",
    "importer",
)


def test_authenticated_user_is_the_signed_in_user(owner):
    request = RequestFactory().get("/")
    request.user = owner
    assert authenticated_user(request) == owner


def test_authenticated_user_refuses_an_anonymous_request():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        authenticated_user(request)


class NameForm(ServiceForm):
    name = forms.CharField()


def refuse(**errors):
    raise ValidationError(errors or "Not now.")


def test_a_service_forms_field_errors_land_next_to_their_fields():
    form = NameForm(data={"name": "x"})
    assert form.is_valid()
    assert form.call_service(refuse, name=["Taken."], other=["Odd."]) is None
    assert form.errors == {"name": ["Taken."], "__all__": ["Odd."]}


def test_a_service_forms_other_errors_are_the_forms():
    form = NameForm(data={"name": "x"})
    assert form.is_valid()
    assert form.call_service(refuse) is None
    assert form.non_field_errors() == ["Not now."]


def _runtime_imports(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []  # only for the type checker
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_core_imports_no_feature_app_at_run_time():
    offending = [
        f"{path.relative_to(CORE)}: {name}"
        for path in CORE.rglob("*.py")
        for name in _runtime_imports(ast.parse(path.read_text()))
        if name.split(".")[:2] in (["nexus", app] for app in FEATURE_APPS)
    ]
    assert offending == []


def test_a_strict_serializer_refuses_a_number_for_a_slug_relation(db):
    from rest_framework import serializers

    from nexus.accounts.models import User
    from nexus.core.serializers import StrictSerializer
    from tests.factories import UserFactory

    class Input(StrictSerializer):
        user = serializers.SlugRelatedField(slug_field="display_name", queryset=User.objects.all())

    UserFactory(display_name="5")
    assert Input(data={"user": "5"}).is_valid()
    refused = Input(data={"user": 5})
    assert not refused.is_valid()
    assert refused.errors == {"user": ["Send text here, not a number."]}
