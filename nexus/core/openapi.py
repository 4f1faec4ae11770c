"""The OpenAPI schema says how every operation fails, not only how it succeeds.

Every REST error is an application/problem+json document (nexus.core.errors). drf-spectacular
documents only the success responses; this schema class adds, to every operation, the error
statuses DRF and our views can answer it with, each described by the one `Problem` component, so
that clients (and the contract tests in tests/fuzz/) can rely on the status codes and bodies.
It also says what drf-spectacular cannot see: that the model column or relation behind a
read-only field may be null or blank, that strict input serializers refuse unknown fields, and
that the API reads JSON bodies.
"""

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import URLValidator
from django.db import models
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import append_meta
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.settings import api_settings

from nexus.core.errors import PROBLEM_CONTENT_TYPE
from nexus.core.serializers import StrictSerializerMixin


class ProblemFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The input at fault (dotted for nested), or __all__.")
    code = serializers.CharField()
    message = serializers.CharField()


# RFC 9457 problem details, with the field errors of a 400 (inline: `errors` is a Serializer
# attribute, so no serializer class can declare a field by that name).
PROBLEM = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "request_id": serializers.CharField(),
        "errors": ProblemFieldErrorSerializer(many=True, required=False),
    },
)


# Errors any request can meet: credentials that fail, a refusal (or a CSRF failure of session
# authentication), a URL or ?format= that names nothing, an Accept header nothing here can serve.
ALWAYS = {
    401: "The credentials are missing, invalid or expired.",
    403: "You may not do this (or a signed-in browser sent no CSRF token).",
    404: "Not found, or not visible to you.",
    406: "None of the media types in Accept can be served.",
}
BAD_REQUEST = "The input is invalid: `errors` names each field at fault."
UNSUPPORTED_MEDIA_TYPE = "The request body's Content-Type is not one this operation reads."
TOO_LARGE = "The request body is larger than this API reads."
THROTTLED = "Too many attempts: Retry-After says when to try again."
EMPTY_TEXT = {"type": "string", "maxLength": 0}


class ProblemAutoSchema(AutoSchema):
    """drf-spectacular's schema for a view, with its problem+json error responses."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        errors = dict(ALWAYS)
        if operation.get("parameters") or operation.get("requestBody"):
            errors[400] = BAD_REQUEST
        if operation.get("requestBody"):
            errors[413] = TOO_LARGE
            errors[415] = UNSUPPORTED_MEDIA_TYPE
        if self.view.get_throttles():
            errors[429] = THROTTLED
        responses = operation["responses"]
        for status, description in sorted(errors.items()):
            responses.setdefault(str(status), {"description": description})
        for status, response in responses.items():
            if status.isdigit() and int(status) >= 400 and "content" not in response:
                response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": self._problem_schema()}}
        return operation

    def map_parsers(self) -> list[Any]:
        # Every view parses forms too (the browsable API posts them), but forms cannot carry
        # JSON's types, lists or nulls: the API's contract is JSON, unless a view chose its parsers.
        if self.view.parser_classes is api_settings.DEFAULT_PARSER_CLASSES:
            return ["application/json"]
        return super().map_parsers()

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        # django-filter skips a parameter sent empty (?status=) as if it were not sent at all.
        parameters: list[dict[str, Any]] = super()._get_filter_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if parameter.get("in") != "query" or schema.get("type") in ("array", None):
                continue
            if schema.get("type") == "string" and "enum" in schema:
                schema["enum"] = (
                    [*schema["enum"], ""] if "" not in schema["enum"] else schema["enum"]
                )
            elif schema.get("type") != "string" or {"pattern", "format", "minLength"} & set(schema):
                parameter["schema"] = {"anyOf": [schema, EMPTY_TEXT]}
        return parameters

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictSerializerMixin):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field: Any, direction: str, *args: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, *args)
        if direction == "request":
            if isinstance(field, serializers.RelatedField) and field.allow_null:
                schema.pop("minLength", None)  # DRF reads "" for a relation as null
            if _trimmed_and_required(field) and "pattern" not in schema:
                # DRF strips what Python calls whitespace (\x1c-\x1f and \x85 too), then
                # refuses what is left blank: some other character must be there.
                schema["pattern"] = r"[^\s\x1c-\x1f\x85]"
            if isinstance(field, serializers.URLField):
                # A URI such as "about:blank" is no URL Django accepts: say which schemes are.
                schemes = "|".join(URLValidator.schemes)
                schema["pattern"] = f"^(?:{schemes})://"
            return schema  # what a client sends: allow_null and allow_blank say the rest
        model_field = _model_field_behind(field)
        if model_field is None:
            return schema
        blank_text = isinstance(model_field, models.CharField) and model_field.blank
        if blank_text and schema.get("type") == "string" and "format" in schema:
            # A blank e-mail or URL field reads as "", which is no e-mail address or URI. (No
            # top-level type, so drf-spectacular's validators do not put the format back.)
            blank = {"type": "string", "format": schema.pop("format")}
            del schema["type"]
            schema["oneOf"] = [blank, {"type": "string", "maxLength": 0}]
        if _may_be_null(field):
            schema = append_meta(schema, {"nullable": True})
        return schema

    def _problem_schema(self) -> dict[str, str]:
        component = self.resolve_serializer(PROBLEM, "response")
        return component.ref


def _trimmed_and_required(field: serializers.Field) -> bool:
    return (
        type(field) is serializers.CharField
        and field.trim_whitespace
        and not field.allow_blank
        and not field.read_only
    )


def _model_fields_along(field: serializers.Field) -> list[models.Field]:
    """The model fields a ModelSerializer field's dotted source walks through, as far as they go."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    found: list[models.Field] = []
    if model is None or field.source == "*":
        return found
    for name in (field.source or "").split("."):
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return found
        if not isinstance(model_field, models.Field):
            return found  # a reverse relation: a list, never null
        found.append(model_field)
        model = model_field.related_model
        if model is None:
            break
    return found


def _model_field_behind(field: serializers.Field) -> models.Field | None:
    along = _model_fields_along(field)
    return along[-1] if along and len(along) == len((field.source or "").split(".")) else None


def _may_be_null(field: serializers.Field) -> bool:
    """Whether any relation or column on the way to the field's value may be null."""
    return any(model_field.null for model_field in _model_fields_along(field))
