"""Pieces the knowledge REST views share: the problem response and its schema entry."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework.response import Response

from nexus.core.errors import PROBLEM_CONTENT_TYPE, problem_body

PROBLEM = OpenApiResponse(description="application/problem+json")


def problem(status_code: int, detail: str, code: str, **extra: Any) -> Response:
    """A problem+json answer with extra members (e.g. the field errors of a bad query)."""
    body = problem_body(status_code, detail=detail, code=code) | extra
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)
