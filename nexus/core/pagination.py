from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable cursor pages as `{results, next, previous}`, newest first by default."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100
