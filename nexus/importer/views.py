"""Import pages: start an import (upload or repository URL), watch its progress, read the report."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from rest_framework.request import Request

from nexus.core.auth import authenticated_user
from nexus.core.htmx import render_page
from nexus.core.pagination import CursorPagination
from nexus.importer import selectors, services
from nexus.importer.forms import ImportForm
from nexus.importer.models import ImportJob
from nexus.importer.policies import can_import, can_view_job

PAGE_SIZE = 20


def _jobs_page(request: HttpRequest) -> dict[str, object]:
    paginator = CursorPagination()
    paginator.ordering = ("-created_at", "-id")
    paginator.page_size = PAGE_SIZE
    user = authenticated_user(request)
    jobs = selectors.import_jobs_visible_to(user).filter(owner=user)
    items = paginator.paginate_queryset(jobs, Request(request)) or []
    return {
        "jobs": items,
        "next_url": paginator.get_next_link(),
        "previous_url": paginator.get_previous_link(),
    }


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """The upload form and the user's past imports; POST starts an import."""
    user = authenticated_user(request)
    # The page is the action: it is not shown to whom the service would refuse.
    if not can_import(user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                owner=user,
                upload_name=upload.name if upload else "",
                upload_data=upload.read() if upload else None,
                url=form.cleaned_data["url"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect(job.get_absolute_url())
    context = {"form": form, **_jobs_page(request)}
    if form.errors:
        return render(request, "importer/job_list.html", context, status=400)
    return render_page(
        request, "importer/job_list.html", "importer/partials/job_page.html", context
    )


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress while the job runs (the partial polls itself), then the report."""
    job = selectors.import_jobs_visible_to(authenticated_user(request)).filter(pk=pk).first()
    if job is None:
        if ImportJob.objects.filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404("No such import.")
    if not can_view_job(request.user, job):
        raise PermissionDenied
    return render_page(
        request,
        "importer/job_detail.html",
        "importer/partials/job_status.html",
        {"job": job, "report": job.report},
    )
