"""Writes that follow the conditional-request rule: they send the ETag of what is stored now."""

from nexus.core.conditional import etag_for


def if_match(resource):
    """Headers for a write made on top of the resource as it is stored now."""
    return {"If-Match": etag_for(type(resource).objects.get(pk=resource.pk))}
