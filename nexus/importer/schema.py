"""GraphQL for imports: the same jobs and reports as /api/v1/imports/ (uploads go through REST)."""

from datetime import datetime
from typing import cast

import strawberry
import strawberry_django
from strawberry.scalars import JSON
from strawberry.types import Info

from nexus.accounts.models import User, Viewer
from nexus.core.graphql import FieldError, MutationErrors, pk_from_id
from nexus.importer import models, selectors, services

MAX_PAGE = 100


@strawberry_django.type(models.ImportJob, name="ImportJob")
class ImportJobType:
    id: strawberry.auto
    source: strawberry.auto
    source_kind: str
    dry_run: strawberry.auto
    status: str
    files_total: strawberry.auto
    files_done: strawberry.auto
    items_total: strawberry.auto
    items_done: strawberry.auto
    current_path: strawberry.auto
    error: strawberry.auto
    created_at: datetime
    finished_at: datetime | None

    @strawberry_django.field(only=["status", "items_done", "items_total"])
    def percent(self, root: models.ImportJob) -> int:
        return root.percent

    @strawberry_django.field(only=["report"], description="The import report (JSON).")
    def report(self, root: models.ImportJob) -> JSON:
        return cast(JSON, root.report)


@strawberry.type
class ImportJobPayload:
    job: ImportJobType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


def _user(info: Info) -> Viewer:
    return cast(Viewer, info.context.request.user)


@strawberry.type
class Query:
    @strawberry_django.field(description="Your imports, newest first (admins: everybody's).")
    def import_jobs(self, info: Info, limit: int = 20) -> list[ImportJobType]:
        user = _user(info)
        if not isinstance(user, User):
            return []
        jobs = selectors.import_jobs_visible_to(user).order_by("-created_at", "-id")
        return cast(list[ImportJobType], list(jobs[: max(1, min(limit, MAX_PAGE))]))

    @strawberry_django.field
    def import_job(self, info: Info, id: strawberry.ID) -> ImportJobType | None:
        user = _user(info)
        if not isinstance(user, User) or (pk := pk_from_id(id)) is None:
            return None
        job = selectors.import_jobs_visible_to(user).filter(pk=pk).first()
        return cast(ImportJobType | None, job)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Import a public git repository (https) as a job.",
        extensions=[MutationErrors()],
    )
    def start_import(self, info: Info, url: str, dry_run: bool = False) -> ImportJobPayload:
        user = _user(info)
        # Only a signed-in user can be handed to the service; it decides whether they may import.
        if not isinstance(user, User):
            return ImportJobPayload(
                errors=[FieldError(field="__all__", message="Log in first.", code="forbidden")]
            )
        job = services.import_job_create(owner=user, url=url, dry_run=dry_run)
        fresh = selectors.import_jobs_visible_to(user).get(pk=job.pk)
        return ImportJobPayload(job=cast(ImportJobType, fresh))
