"""REST routers whose lookups are typed: a malformed id in a URL is a 404 from the resolver.

DRF's default lookup takes any path segment, so `/webhooks/abc/` reached the queryset and its
ValueError became a 500, and a NUL byte reached PostgreSQL, which cannot take one. Here an id
(`pk`, `id`) matches digits and a slug matches a slug, unless a viewset sets lookup_value_regex.
"""

from typing import Any

from rest_framework.routers import DefaultRouter, SimpleRouter

ID_REGEX = r"[0-9]+"
SLUG_REGEX = r"[-a-zA-Z0-9_]+"  # what Django's <slug:…> converter matches
TYPED_LOOKUPS = {"pk": ID_REGEX, "id": ID_REGEX, "slug": SLUG_REGEX}
ANY_SEGMENT = r"[^/.]+"  # DRF's default, for a lookup field that is neither


class TypedLookups:
    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        value = getattr(viewset, "lookup_value_regex", None) or TYPED_LOOKUPS.get(
            lookup_field, ANY_SEGMENT
        )
        return f"(?P<{lookup_prefix}{kwarg}>{value})"


class TypedRouter(TypedLookups, DefaultRouter):
    """The API root router (nexus/api.py)."""


class TypedSimpleRouter(TypedLookups, SimpleRouter):
    """A router an app includes under the API root (no root view of its own)."""
