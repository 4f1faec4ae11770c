from typing import Any, cast

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


class CursorPagination(pagination.CursorPagination):
    """Stable cursor pages as `{results, next, previous}`, newest first by default.

    A page_size that is not a whole number from 1 is a 400 naming it, as the search API answers,
    rather than DRF's silent fallback to the default size."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return cast(int, self.page_size)  # settings.PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: ["Send a whole number from 1."]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    f"Results a page, {self.page_size} unless given; at most {self.max_page_size}."
                )
        return parameters
