"""What the collaboration hub contributes to the search index: API operations and issues.

Operations: only those of each API's latest spec version, and not of archived APIs (the catalog
hides those). Integration issues: anyone may read an issue (the issue pages and API need no
sign-in), so every issue is public; issues of archived APIs stay findable, as on the issue list.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse

from nexus.accounts.models import Viewer
from nexus.collab.models import Api, IntegrationIssue, Operation, SpecVersion
from nexus.core.markdown import plain_text
from nexus.search import registry
from nexus.search.registry import Facet, IndexEntry, SearchProvider, Visibility

# Events that change which operations are the latest of an API (subject: the new version).
VERSION_EVENTS = frozenset({"api.version_created"})


def _is_current(operation: Operation) -> bool:
    api = operation.api
    return not api.is_archived and api.latest_version_id == operation.version_id


@registry.register("operation")
class OperationSearch(SearchProvider):
    model = Operation
    label = "API operations"

    def queryset(self) -> QuerySet[Operation]:
        return Operation.objects.select_related("api").defer("detail", "api__description")

    def to_document(self, obj: Operation) -> IndexEntry | None:
        if not _is_current(obj):
            return None
        api = obj.api
        segments = [part for part in obj.path.split("/") if part and not part.startswith("{")]
        title = f"{obj.method} {obj.path}"
        if obj.summary:
            title = f"{title} — {obj.summary}"
        return IndexEntry(
            title=title,
            summary=obj.summary,
            body=obj.description,
            url=reverse("collab:operation_detail", args=[api.slug, obj.pk]),
            tags=[Facet(str(tag)[:64], str(tag)[:80]) for tag in obj.tags if str(tag).strip()],
            owner_id=api.created_by_id,
            status="deprecated" if obj.deprecated else "current",
            visibility=Visibility.PUBLIC,
            freshness=obj.updated_at,
            extra_keywords=[api.name, obj.operation_id, *segments],
        )

    def visible_ids(self, user: Viewer, ids: Iterable[int]) -> set[int]:
        current = Operation.objects.filter(
            pk__in=list(ids), api__is_archived=False, api__latest_version=F("version")
        )
        return set(current.values_list("pk", flat=True))

    def ids_for_event(self, event: Any) -> Iterable[int]:
        if event.name not in VERSION_EVENTS or not event.subject_id.isdigit():
            return ()
        version = SpecVersion.objects.filter(pk=int(event.subject_id)).only("api", "number").first()
        if version is None:
            return ()
        # The new version's operations come in, the previous version's go out.
        return Operation.objects.filter(
            api_id=version.api_id, version__number__gte=version.number - 1
        ).values_list("pk", flat=True)


@registry.register("integration_issue")
class IntegrationIssueSearch(SearchProvider):
    model = IntegrationIssue
    label = "Integration issues"

    def queryset(self) -> QuerySet[IntegrationIssue]:
        return IntegrationIssue.objects.select_related("api", "reporter").prefetch_related("labels")

    def to_document(self, obj: IntegrationIssue) -> IndexEntry | None:
        api: Api = obj.api
        return IndexEntry(
            title=obj.title,
            body=plain_text(obj.body_html) if obj.body_html else obj.body,
            url=reverse("collab:issue_detail", args=[obj.pk]),
            tags=[Facet(label.name, label.name) for label in obj.labels.all()],
            owner_id=obj.reporter_id,
            author_name=obj.reporter.display_name if obj.reporter else "",
            status=obj.status,
            visibility=Visibility.PUBLIC,
            freshness=obj.updated_at,
            extra_keywords=[api.name, obj.get_kind_display(), obj.operation_key],
        )
