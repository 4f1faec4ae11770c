"""ETag / If-Match for editable resources: a stale write answers 412 instead of overwriting."""

from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since you read it; read it again and retry."
    default_code = "precondition_failed"


def etag_for(obj: Any) -> str:
    return f'"{obj.pk}-{int(obj.updated_at.timestamp() * 1_000_000)}"'


def check_if_match(request: Request, obj: Any) -> None:
    """Refuse a write whose If-Match names another version of the object."""
    wanted = request.headers.get("If-Match")
    if (
        wanted
        and wanted.strip() != "*"
        and etag_for(obj) not in [t.strip() for t in wanted.split(",")]
    ):
        raise PreconditionFailed


def with_etag(response: Response, obj: Any) -> Response:
    response["ETag"] = etag_for(obj)
    return response
