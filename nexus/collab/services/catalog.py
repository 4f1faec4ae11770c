"""Registering APIs and adding spec versions, with their diff and consumer alerts."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.text import slugify

from nexus.accounts.models import Team, User
from nexus.collab import policies
from nexus.collab.models import Api, Operation, SpecChange, SpecSource, SpecVersion
from nexus.collab.openapi.diff import BREAKING, Change, diff_specs
from nexus.collab.openapi.errors import SpecError, SpecProblem
from nexus.collab.openapi.loader import content_hash, load_document
from nexus.collab.openapi.operations import ParsedOperation, parse_operations
from nexus.collab.openapi.validate import validate_document
from nexus.collab.services.common import KEEP, Keep
from nexus.collab.services.consumers import alert_consumers
from nexus.core import conditional, events

# A parsed spec: JSON's objects, arrays and scalars, read field by field after validation.
type Document = dict[str, object]


class SpecRejectedError(ValidationError):
    """A spec that cannot be stored; carries each problem's pointer and line."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        super().__init__({"spec": [str(problem) for problem in problems]})


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "api"
    slug, n = base, 1
    while Api.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_team(actor: User, team: Team | None) -> None:
    if team is not None and not policies.can_act_for_team(actor, team):
        raise ValidationError({"team": ["You can only register APIs for a team you belong to."]})


@transaction.atomic
def api_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    base_url: str = "",
    repository_url: str = "",
    team: Team | None = None,
) -> Api:
    """Register an API in the catalog; its team (or its creator) maintains it."""
    if not policies.can_register_api(actor):
        raise PermissionDenied("Sign in to register an API.")
    _check_team(actor, team)
    return _api_store(
        actor=actor,
        name=name,
        description=description,
        base_url=base_url,
        repository_url=repository_url,
        team=team,
    )


@transaction.atomic
def _api_store(
    *,
    actor: User | None,
    name: str,
    description: str = "",
    base_url: str = "",
    repository_url: str = "",
    team: Team | None = None,
    slug: str = "",
    pinned: bool = False,
) -> Api:
    api = Api(
        name=name.strip(),
        description=description.strip(),
        base_url=base_url,
        repository_url=repository_url,
        team=team,
        created_by=actor,
        slug=slug or _unique_slug(name),
        pinned=pinned,
    )
    api.full_clean(exclude=["latest_version"])
    api.save()
    events.publish("api.created", subject=api, actor=actor, payload={"slug": api.slug})
    return api


@transaction.atomic
def api_update(
    *,
    api: Api,
    actor: User,
    expected_etag: str | None = None,
    name: str | None = None,
    description: str | None = None,
    base_url: str | None = None,
    repository_url: str | None = None,
    team: Team | Keep | None = KEEP,
) -> Api:
    """Change an API's texts (None keeps one) or team (KEEP keeps it), If-Match permitting."""
    if not policies.can_maintain_api(actor, api):
        raise PermissionDenied("Only the API's maintainers change it.")
    conditional.check_if_match(expected_etag, Api.objects.select_for_update().get(pk=api.pk))
    texts = {
        "name": name,
        "description": description,
        "base_url": base_url,
        "repository_url": repository_url,
    }
    for field, value in texts.items():
        if value is not None:
            setattr(api, field, value.strip())
    if not isinstance(team, Keep):
        _check_team(actor, team)
        api.team = team
    api.full_clean(exclude=["latest_version"])
    api.save()
    return api


def parse_spec(raw: bytes | str) -> tuple[Document, str, str, list[ParsedOperation]]:
    """Load, validate and flatten a spec: (document, format, openapi version, operations)."""
    try:
        loaded = load_document(raw)
        version = validate_document(loaded)
        operations = parse_operations(loaded.data)
    except SpecError as exc:
        raise SpecRejectedError(exc.problems) from exc
    return loaded.data, loaded.format, version, operations


def spec_version_create(
    *, api: Api, actor: User, raw: bytes | str, source: str
) -> tuple[SpecVersion, bool]:
    """A maintainer adds a version (an upload or pasted text); returns (version, created)."""
    if not policies.can_maintain_api(actor, api):
        raise PermissionDenied("Only the API's maintainers add versions.")
    return spec_version_store(api=api, raw=raw, source=source, actor=actor)


def spec_version_store(
    *,
    api: Api,
    raw: bytes | str,
    source: str,
    actor: User | None = None,
    source_url: str = "",
) -> tuple[SpecVersion, bool]:
    """Store a version unless an identical one exists, for callers that checked who asked."""
    if source not in SpecSource.values:
        raise ValidationError({"source": ["Unknown spec source."]})
    document, raw_format, openapi_version, operations = parse_spec(raw)
    digest = content_hash(document)
    existing = SpecVersion.objects.filter(api=api, content_hash=digest).first()
    if existing is not None:
        return existing, False
    text = raw if isinstance(raw, str) else raw.decode("utf-8-sig")
    try:
        return _store_version(
            api=api,
            text=text,
            raw_format=raw_format,
            document=document,
            digest=digest,
            openapi_version=openapi_version,
            operations=operations,
            source=source,
            source_url=source_url,
            actor=actor,
        ), True
    except IntegrityError:
        # A concurrent upload of the same content won the race.
        return SpecVersion.objects.get(api=api, content_hash=digest), False


@transaction.atomic
def _store_version(
    *,
    api: Api,
    text: str,
    raw_format: str,
    document: Document,
    digest: str,
    openapi_version: str,
    operations: list[ParsedOperation],
    source: str,
    source_url: str,
    actor: User | None,
) -> SpecVersion:
    locked = Api.objects.select_for_update().get(pk=api.pk)
    previous = locked.latest_version
    number = (SpecVersion.objects.filter(api=api).aggregate(n=Max("number"))["n"] or 0) + 1
    info = document.get("info")
    info = info if isinstance(info, dict) else {}
    version = SpecVersion.objects.create(
        api=api,
        number=number,
        source=source,
        source_url=source_url,
        raw_text=text,
        raw_format=raw_format,
        document=document,
        content_hash=digest,
        openapi_version=openapi_version,
        title=str(info.get("title") or "")[:300],
        info_version=str(info.get("version") or "")[:100],
        created_by=actor,
    )
    Operation.objects.bulk_create(
        Operation(
            api=api,
            version=version,
            key=op.key[:520],
            method=op.method,
            path=op.path[:500],
            operation_id=op.operation_id[:200],
            summary=op.summary[:500],
            description=op.description,
            deprecated=op.deprecated,
            tags=op.tags,
            detail=op.detail,
            position=index,
        )
        for index, op in enumerate(operations)
    )
    changes: list[Change] = []
    if previous is not None:
        old_operations = parse_operations(previous.document)
        changes = diff_specs(previous.document, document, old_operations, operations)
    stored = SpecChange.objects.bulk_create(
        SpecChange(
            version=version,
            kind=change.kind,
            severity=change.severity,
            operation_key=change.operation[:520],
            detail=change.detail[:1000],
            position=index,
        )
        for index, change in enumerate(changes)
    )
    version.change_count = len(stored)
    version.breaking_count = sum(1 for change in stored if change.severity == BREAKING)
    version.save(update_fields=["change_count", "breaking_count", "updated_at"])
    locked.latest_version = version
    locked.save(update_fields=["latest_version", "updated_at"])
    api.latest_version = version
    events.publish(
        "api.version_created",
        subject=version,
        actor=actor,
        payload={
            "api": api.slug,
            "version": number,
            "breaking": version.breaking_count,
            "breaking_operations": _breaking_operation_urls(api, stored),
        },
    )
    if version.breaking_count:
        alert_consumers(
            version=version, changes=[c for c in stored if c.severity == BREAKING], actor=actor
        )
    return version


def _breaking_operation_urls(
    api: Api, changes: list[SpecChange]
) -> list[dict[str, str | list[str]]]:
    """Each operation a breaking change touches, with the page URL of each of its versions, so
    content linking any of them can be flagged "may be outdated" by the apps that own it."""
    keys = sorted({c.operation_key for c in changes if c.severity == BREAKING} - {""})
    urls: dict[str, list[str]] = {key: [] for key in keys}
    for pk, key in Operation.objects.filter(api=api, key__in=keys).values_list("pk", "key"):
        urls[key].append(reverse("collab:operation_detail", args=[api.slug, pk]))
    return [{"key": key, "urls": urls[key]} for key in keys]


OWN_API_SLUG = "nexus"


def own_api_refresh(*, raw: str) -> tuple[SpecVersion, bool]:
    """Nexus's own API as the catalog's first, pinned entry, with its current schema."""
    api = Api.objects.filter(slug=OWN_API_SLUG).first()
    if api is None:
        api = _api_store(
            actor=None,
            name="Nexus",
            slug=OWN_API_SLUG,
            description="This platform's own REST API, refreshed from its code on every deploy.",
            pinned=True,
        )
    return spec_version_store(api=api, raw=raw, source=SpecSource.SYSTEM)
