"""Web pages: the catalog, an API, its versions and operations, feedback, alerts."""

import copy
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from nexus.collab import policies, selectors
from nexus.collab.forms import (
    ApiForm,
    CompareForm,
    ConsumerForm,
    FeedbackForm,
    ReplyForm,
    SpecForm,
)
from nexus.collab.mock import mock_base_url
from nexus.collab.models import Api, ApiConsumer, EndpointFeedback, SpecVersion
from nexus.collab.openapi.examples import media_example
from nexus.collab.services import catalog, consumers, imports
from nexus.core.auth import authenticated_user
from nexus.core.htmx import render_page
from nexus.core.pagecache import public_cache

PAGE_SIZE = 20


@public_cache("collab", "people")
def api_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.api_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request, "collab/api_list.html", "collab/partials/api_rows.html", {"page": page}
    )


@login_required
def api_create(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    form = ApiForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid() and (api := form.save(user)):
        messages.success(request, f"{api.name} is in the catalog. Add its spec next.")
        return redirect("collab:api_detail", api.slug)
    return render(request, "collab/api_form.html", {"form": form})


def _api(slug: str) -> Api:
    return get_object_or_404(selectors.api_list(), slug=slug)


@public_cache("collab", "people")
def api_detail(request: HttpRequest, slug: str) -> HttpResponse:
    api = _api(slug)
    user = request.user
    operations = list(selectors.operation_list(version=api.latest_version))
    scores = selectors.feedback_summary_by_operation(api=api)
    for operation in operations:
        operation.score = scores.get(operation.key)  # type: ignore[attr-defined]
    consumer = None
    consumer_form = None
    if user.is_authenticated:
        consumer = ApiConsumer.objects.filter(api=api, user=user).first()
        consumer_form = ConsumerForm(
            user=authenticated_user(request), operation_keys=[op.key for op in operations]
        )
    context = {
        "api": api,
        "operations": operations,
        "versions": selectors.version_list(api=api)[:20],
        "changes": selectors.change_list(version=api.latest_version) if api.latest_version else [],
        "summary": selectors.feedback_summary(api=api),
        "consumers": ApiConsumer.objects.filter(api=api).select_related("user", "team"),
        "consumer": consumer,
        "consumer_form": consumer_form,
        "can_maintain": policies.can_maintain_api(user, api),
        "spec_form": SpecForm(),
        "mock_base": (
            mock_base_url(api.slug, api.latest_version.number) if api.latest_version else ""
        ),
    }
    return render(request, "collab/api_detail.html", context)


@login_required
@require_POST
def version_create(request: HttpRequest, slug: str) -> HttpResponse:
    api = _api(slug)
    user = authenticated_user(request)
    if not policies.can_maintain_api(user, api):
        raise PermissionDenied
    form = SpecForm(request.POST, request.FILES)
    problems: list[Any] = []
    if form.is_valid():
        data = form.cleaned_data
        if data.get("url"):
            spec_import = form.call_service(
                imports.spec_import_request, api=api, url=data["url"], actor=user
            )
            if spec_import is None:
                context = {"api": api, "spec_form": form, "problems": []}
                return render(request, "collab/version_form.html", context, status=400)
            spec_import.refresh_from_db()
            if spec_import.version is not None:
                return redirect("collab:version_detail", api.slug, spec_import.version.number)
            messages.info(request, "The spec is being fetched; it appears here when it is ready.")
            return redirect("collab:api_detail", api.slug)
        upload = data.get("spec_file")
        raw = upload.read() if upload is not None else data["spec_text"]
        source = "upload" if upload is not None else "paste"
        try:
            version, created = catalog.spec_version_create(
                api=api, raw=raw, source=source, actor=user
            )
        except catalog.SpecRejectedError as exc:
            problems = exc.problems
        else:
            if not created:
                messages.info(request, f"This spec is identical to version {version.number}.")
            return redirect("collab:version_detail", api.slug, version.number)
    context = {"api": api, "spec_form": form, "problems": problems}
    return render(request, "collab/version_form.html", context, status=400)


def _version(api: Api, number: int) -> SpecVersion:
    version = selectors.version_get(api=api, number=number)
    if version is None:
        raise Http404
    return version


def _breaking_only(request: HttpRequest) -> bool:
    return request.GET.get("breaking", "").lower() in {"1", "true", "on", "yes"}


def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    api = _api(slug)
    version = _version(api, number)
    breaking_only = _breaking_only(request)
    context = {
        "api": api,
        "version": version,
        "changes": selectors.change_list(version=version, breaking_only=breaking_only),
        "breaking_only": breaking_only,
        "operations": selectors.operation_list(version=version),
        "user_can_file": policies.can_file_issue(request.user),
    }
    return render(request, "collab/version_detail.html", context)


def api_compare(request: HttpRequest, slug: str) -> HttpResponse:
    """Any two versions side by side: the newest two unless the query names others."""
    api = _api(slug)
    versions = list(selectors.version_list(api=api).values_list("number", "info_version"))
    context: dict[str, Any] = {"api": api, "form": None, "comparison": None}
    if len(versions) < 2:
        return render(request, "collab/version_compare.html", context)
    defaults = {"from": str(versions[1][0]), "to": str(versions[0][0])}
    form = CompareForm({**defaults, **request.GET.dict()}, versions=versions)
    if form.is_valid():
        context["comparison"] = form.call_service(
            selectors.version_comparison,
            api=api,
            older=form.cleaned_data["from"],
            newer=form.cleaned_data["to"],
            breaking_only=form.cleaned_data["breaking"],
        )
    context["form"] = form
    status = 400 if form.errors else 200
    return render(request, "collab/version_compare.html", context, status=status)


def version_spec_json(request: HttpRequest, slug: str, number: int) -> JsonResponse:
    """The stored, normalised spec as JSON (what Swagger UI loads)."""
    version = _version(_api(slug), number)
    return JsonResponse(version.document, json_dumps_params={"ensure_ascii": False})


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def version_swagger_spec(request: HttpRequest, slug: str, number: int) -> JsonResponse:
    """The spec as Swagger UI gets it: "try it" calls this version's mock, not the real API.

    Only this copy's servers change (path- and operation-level ones too, which would otherwise
    win over the top-level one); the stored spec and openapi.json stay as uploaded.
    """
    api = _api(slug)
    version = _version(api, number)
    mock = request.build_absolute_uri(mock_base_url(api.slug, version.number))
    document = copy.deepcopy(version.document)
    document["servers"] = [{"url": mock, "description": f"Nexus mock of version {number}"}]
    for path_item in (document.get("paths") or {}).values():
        if isinstance(path_item, dict):
            path_item.pop("servers", None)
            for method in HTTP_METHODS:
                if isinstance(path_item.get(method), dict):
                    path_item[method].pop("servers", None)
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


def version_swagger(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    api = _api(slug)
    version = _version(api, number)
    return render(request, "collab/swagger.html", {"api": api, "version": version})


@login_required
@require_POST
def consumer_declare(request: HttpRequest, slug: str) -> HttpResponse:
    api = _api(slug)
    user = authenticated_user(request)
    keys = list(selectors.operation_list(version=api.latest_version).values_list("key", flat=True))
    form = ConsumerForm(request.POST, user=user, operation_keys=keys)
    if form.is_valid() and form.call_service(
        consumers.consumer_declare,
        api=api,
        actor=user,
        team=form.cleaned_data["team"],
        operations=form.cleaned_data["operations"],
    ):
        messages.success(request, f"You are now a consumer of {api.name}.")
    else:
        messages.error(
            request, "; ".join(str(e) for errors in form.errors.values() for e in errors)
        )
    return redirect("collab:api_detail", api.slug)


def operation_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    api = _api(slug)
    operation = get_object_or_404(selectors.api_operations(api=api), pk=pk)
    user = request.user
    form = FeedbackForm(request.POST or None)
    saved = False
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if form.is_valid() and form.save(authenticated_user(request), operation):
            if not getattr(request, "htmx", False):
                messages.success(request, "Saved your rating.")
                return redirect("collab:operation_detail", api.slug, operation.pk)
            form = FeedbackForm()
            saved = True
    detail = operation.detail
    body = detail.get("requestBody") or {}
    request_examples = [
        (media, _pretty(media_example(content)))
        for media, content in (body.get("content") or {}).items()
    ]
    responses = [
        {
            "status": status,
            "description": (response or {}).get("description", ""),
            "examples": [
                (media, _pretty(media_example(content)), _pretty(content.get("schema")))
                for media, content in ((response or {}).get("content") or {}).items()
            ],
        }
        for status, response in (detail.get("responses") or {}).items()
    ]
    feedback = selectors.feedback_list().filter(api=api, operation_key=operation.key)[:50]
    context = {
        "api": api,
        "operation": operation,
        "parameters": detail.get("parameters") or [],
        "request_body": body,
        "request_examples": request_examples,
        "request_schemas": [
            (media, _pretty(content.get("schema")))
            for media, content in (body.get("content") or {}).items()
        ],
        "responses": responses,
        "form": form,
        "saved": saved,
        "feedback": feedback,
        "summary": selectors.feedback_summary(api=api, operation_key=operation.key),
        "can_maintain": policies.can_maintain_api(user, api),
        "reply_form": ReplyForm(),
    }
    response = render_page(
        request, "collab/operation_detail.html", "collab/partials/feedback.html", context
    )
    # A refused rating is a 400 with the errors next to the stars; an htmx form keeps a 200, as
    # htmx swaps no 4xx answer in.
    if form.errors and not getattr(request, "htmx", False):
        response.status_code = 400
    return response


def _pretty(value: Any) -> str:
    return "" if value is None else json.dumps(value, indent=2, ensure_ascii=False)[:20000]


@login_required
@require_POST
def feedback_reply(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(EndpointFeedback.objects.select_related("api"), pk=pk)
    user = authenticated_user(request)
    if not policies.can_reply_to_feedback(user, item):
        raise PermissionDenied
    form = ReplyForm(request.POST)
    if form.is_valid() and form.save(user, item):
        messages.success(request, "Reply saved.")
    operation = selectors.api_operations(api=item.api).filter(key=item.operation_key).last()
    if operation is None:
        return redirect("collab:api_detail", item.api.slug)
    return redirect("collab:operation_detail", item.api.slug, operation.pk)


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    page = Paginator(selectors.alert_list(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "collab/alert_list.html", {"page": page})
