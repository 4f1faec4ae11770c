"""GraphQL building blocks: the authenticated view, limits, and typed field errors."""

from typing import Any

import strawberry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView
from strawberry.django.views import GraphQLView
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry_django.optimizer import DjangoOptimizerExtension

from nexus.core.errors import problem_response


@strawberry.type
class FieldError:
    field: str
    message: str
    code: str


def field_errors_from(exc: ValidationError) -> list[FieldError]:
    """A Django ValidationError as the typed errors mutations return."""
    if hasattr(exc, "error_dict"):
        return [
            FieldError(field=name, message=message, code=error.code or "invalid")
            for name, errors in exc.error_dict.items()
            for error in errors
            for message in error.messages
        ]
    return [
        FieldError(field="__all__", message=message, code=exc.code or "invalid")
        for message in exc.messages
    ]


def schema_extensions() -> list[Any]:
    """Limits and the optimizer every schema runs with."""
    return [
        DjangoOptimizerExtension,
        lambda: QueryDepthLimiter(max_depth=settings.NEXUS_GRAPHQL_MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=settings.NEXUS_GRAPHQL_MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=settings.NEXUS_GRAPHQL_MAX_TOKENS),
    ]


class AuthenticatedGraphQLView(GraphQLView):
    """GraphQL with the REST API's authentication: JWT, API token, or session with CSRF."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The body is read into memory first so that the CSRF check of session authentication,
        # which parses the body through DRF, leaves it readable for Strawberry afterwards.
        request.body  # noqa: B018
        drf_request = Request(
            request,
            parsers=[parser() for parser in APIView.parser_classes],
            authenticators=[auth() for auth in APIView.authentication_classes],
        )
        try:
            request.user = drf_request.user
        except exceptions.AuthenticationFailed as exc:
            return problem_response(401, detail=str(exc.detail), code="authentication_failed")
        except exceptions.PermissionDenied as exc:
            return problem_response(403, detail=str(exc.detail), code="csrf_failed")
        return super().dispatch(request, *args, **kwargs)
