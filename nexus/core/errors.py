"""One error format for every API error: RFC 9457 problem details with field errors."""

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from nexus.core.conditional import PreconditionFailed, PreconditionRequired
from nexus.core.request_context import current_request_id

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_body(
    status: int,
    *,
    detail: str = "",
    code: str = "",
    errors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The problem document for a status, with optional field errors."""
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": phrase,
        "status": status,
        "detail": detail or phrase,
        "code": code or phrase.lower().replace(" ", "_").replace("-", "_"),
        "request_id": current_request_id(),
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(status: int, **kwargs: Any) -> JsonResponse:
    """A problem+json response outside DRF (middleware, Django error handlers)."""
    return JsonResponse(
        problem_body(status, **kwargs), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


def flatten_field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Turn DRF's nested error detail into a flat list of {field, code, message}."""
    if isinstance(detail, dict):
        return [
            error
            for key, value in detail.items()
            for error in flatten_field_errors(value, _join(prefix, str(key)))
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [_field_error(prefix, item) for item in detail]
        return [
            error
            for index, value in enumerate(detail)
            for error in flatten_field_errors(value, _join(prefix, str(index)))
        ]
    return [_field_error(prefix, detail)]


def _join(prefix: str, key: str) -> str:
    if key == "non_field_errors":
        return prefix
    return f"{prefix}.{key}" if prefix else key


def field_error(field: str, message: str, code: str = "invalid") -> DjangoValidationError:
    """A service's refusal of one field, its code kept for clients: Django drops a code given
    beside a dict, so it goes on the message itself."""
    return DjangoValidationError({field: [DjangoValidationError(message, code=code)]})


def _field_error(field: str, message: Any) -> dict[str, str]:
    return {
        "field": field or "__all__",
        "code": getattr(message, "code", None) or "invalid",
        "message": str(message),
    }


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler that answers every error as application/problem+json."""
    current_etag = exc.current_etag if isinstance(exc, PreconditionFailed) else None
    if isinstance(exc, PreconditionFailed | PreconditionRequired):
        exc = _precondition_exception(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # A service's refusal says why, as GraphQL's permission_denied error does; a bare one
        # keeps DRF's default sentence.
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_field_errors(exc.detail)
        body = problem_body(
            response.status_code,
            detail="The request has invalid fields." if errors else "The request is invalid.",
            code="invalid",
            errors=errors,
        )
    else:
        detail = exc.detail
        if isinstance(detail, dict):
            message = str(detail.get("detail", ""))
            code = getattr(detail.get("detail"), "code", None) or str(detail.get("code", ""))
        else:
            message, code = str(detail), getattr(detail, "code", "")
        body = problem_body(response.status_code, detail=message, code=code)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    if current_etag:
        response["ETag"] = current_etag
    return response


def _precondition_exception(
    exc: PreconditionFailed | PreconditionRequired,
) -> exceptions.APIException:
    failed = isinstance(exc, PreconditionFailed)
    api_exc = exceptions.APIException(
        exc.detail, "precondition_failed" if failed else "precondition_required"
    )
    api_exc.status_code = 412 if failed else 428
    return api_exc


def wants_problem_json(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/graphql", "/mock/")) or (
        "application/json" in request.headers.get("Accept", "")
    )
