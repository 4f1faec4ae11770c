"""GraphQL building blocks: the authenticated view, limits, and typed errors for mutations."""

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import strawberry
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import Http404, HttpRequest, HttpResponseBase
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    IntValueNode,
    ObjectFieldNode,
    StringValueNode,
    Visitor,
    visit,
)
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView
from strawberry.django.views import GraphQLView
from strawberry.extensions import (
    AddValidationRules,
    FieldExtension,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.field_extension import SyncExtensionResolver
from strawberry.types import Info, get_object_definition
from strawberry.types.field import StrawberryField
from strawberry_django.optimizer import DjangoOptimizerExtension
from strawberry_django.permissions import DjangoPermissionExtension

from nexus.core.errors import problem_response
from nexus.core.ids import pk_from_id
from nexus.core.parsers import JSONTooDeep, loads_bounded


class RefuseNulCharacters(SchemaExtension):
    """Text holding a NUL character is refused before validation, like REST and forms refuse it:
    PostgreSQL cannot store NUL, and a resolver handing one to the database would fail there."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        literals = (
            node.value for node in (_string_values(document) if document is not None else ())
        )
        if any("\x00" in text for text in literals) or _holds_nul(context.variables):
            context.pre_execution_errors = [GraphQLError("Text may not contain NUL characters.")]
        yield


class RefuseImpossibleLookups(SchemaExtension):
    """Filter lookups the database cannot run are refused before the query runs, with an error
    saying why, where they failed inside the filtered query: a regex / iRegex pattern the
    database's regex operator does not read, a year / isoYear outside 1-9999 (no date has it)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        found = _lookup_literals(document)
        _lookup_variables(context.variables, found)
        invalid = [pattern for pattern in found["regex"] if not _is_valid_regex(pattern)]
        years = [year for year in found["year"] if isinstance(year, int) and not 1 <= year <= 9999]
        if invalid:
            context.pre_execution_errors = [
                GraphQLError(f"Not a regular expression: {invalid[0]!r}.")
            ]
        elif years:
            context.pre_execution_errors = [GraphQLError(f"No date has the year {years[0]}.")]
        yield


_LOOKUP_KINDS = {"regex": "regex", "iRegex": "regex", "year": "year", "isoYear": "year"}


def _lookup_literals(document: DocumentNode | None) -> dict[str, list[Any]]:
    """The regex patterns and years written in a document's filter lookups."""
    found: dict[str, list[Any]] = {"regex": [], "year": []}

    class Collect(Visitor):
        def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
            kind = _LOOKUP_KINDS.get(node.name.value)
            if kind == "regex" and isinstance(node.value, StringValueNode):
                found["regex"].append(node.value.value)
            elif kind == "year":
                found["year"].extend(int(value.value) for value in _int_values(node.value))

    if document is not None:
        visit(document, Collect())
    return found


def _int_values(node: Any) -> list[IntValueNode]:
    found: list[IntValueNode] = []

    class Collect(Visitor):
        def enter_int_value(self, value: IntValueNode, *_: Any) -> None:
            found.append(value)

    visit(node, Collect())
    return found


def _lookup_variables(value: Any, found: dict[str, list[Any]], kind: str | None = None) -> None:
    """Adds to `found` the regex patterns and years in a request's variables."""
    if isinstance(value, dict):
        for key, item in value.items():
            _lookup_variables(item, found, _LOOKUP_KINDS.get(key, kind))
    elif isinstance(value, list):
        for item in value:
            _lookup_variables(item, found, kind)
    elif (kind == "regex" and isinstance(value, str)) or (
        kind == "year" and isinstance(value, int)
    ):
        found[kind].append(value)


def _is_valid_regex(pattern: str) -> bool:
    """Whether the database's own regex operator reads the pattern."""
    operator = connection.operators["regex"] % "%s"  # type: ignore[attr-defined]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT %s {operator}", ["", pattern])
    except DatabaseError:
        return False
    return True


def _string_values(document: DocumentNode) -> list[StringValueNode]:
    found: list[StringValueNode] = []

    class Collect(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
            found.append(node)

    visit(document, Collect())
    return found


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


@strawberry.type
class FieldError:
    field: str
    message: str
    code: str


def field_errors_from(exc: ValidationError) -> list[FieldError]:
    """A Django ValidationError as the typed errors mutations return."""
    if hasattr(exc, "error_dict"):
        return [
            FieldError(field=name, message=message, code=error.code or "invalid")
            for name, errors in exc.error_dict.items()
            for error in errors
            for message in error.messages
        ]
    return [
        FieldError(field="__all__", message=message, code=exc.code or "invalid")
        for message in exc.messages
    ]


class NotFound(ObjectDoesNotExist):
    """The object a mutation's argument names does not exist, or the user may not see it."""

    def __init__(self, field: str = "__all__", message: str = "Not found.") -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def pk_or_not_found(value: str, *, field: str = "id") -> int:
    """pk_from_id for a mutation: an impossible id is not_found on its field, like a missing row."""
    if (pk := pk_from_id(value)) is None:
        raise NotFound(field=field)
    return pk


def _denied(exc: PermissionDenied) -> list[FieldError]:
    return [
        FieldError(
            field="__all__", message=str(exc) or "You may not do that.", code="permission_denied"
        )
    ]


def _named_not_found(exc: NotFound) -> list[FieldError]:
    return [FieldError(field=exc.field, message=exc.message, code="not_found")]


def _not_found(exc: ObjectDoesNotExist | Http404) -> list[FieldError]:
    # Django's own messages name models and queries; the client learns only that it is gone.
    return [FieldError(field="__all__", message="Not found.", code="not_found")]


# The exceptions a mutation may raise to answer with typed errors; the most specific class wins.
# Every other exception stays a GraphQL error, so bugs are not dressed up as user mistakes.
MUTATION_ERRORS: dict[type[Exception], Callable[[Any], list[FieldError]]] = {
    ValidationError: field_errors_from,
    PermissionDenied: _denied,
    NotFound: _named_not_found,
    ObjectDoesNotExist: _not_found,
    Http404: _not_found,
}


def _errors_for(exc: Exception) -> list[FieldError]:
    """The typed errors for an exception of one of the classes in MUTATION_ERRORS."""
    mapped = next(cls for cls in type(exc).__mro__ if cls in MUTATION_ERRORS)
    return MUTATION_ERRORS[mapped](exc)


def _has_errors(payload: type) -> bool:
    definition = get_object_definition(payload)
    return definition is not None and any(f.python_name == "errors" for f in definition.fields)


class MutationErrors(FieldExtension):
    """Answer a mutation's expected exceptions with its payload type, `errors` filled."""

    payload: type

    def apply(self, field: StrawberryField) -> None:
        payload = field.type
        if not isinstance(payload, type) or not _has_errors(payload):
            raise TypeError(f"{field.python_name}: MutationErrors needs a payload with `errors`.")
        # Extensions listed before this one run inside it: a permission extension there would
        # turn a missing login into a typed error instead of the GraphQL error clients expect.
        inner = field.extensions[: field.extensions.index(self)]
        if any(isinstance(extension, DjangoPermissionExtension) for extension in inner):
            raise TypeError(f"{field.python_name}: list MutationErrors before IsAuthenticated().")
        self.payload = payload

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        try:
            return next_(source, info, **kwargs)
        except tuple(MUTATION_ERRORS) as exc:
            return self.payload(errors=_errors_for(exc))


# Distinct documents each cache keeps (parsed, and validated against the rules in force): far
# more than the queries our clients send, and a bound on what unique texts can make us hold.
DOCUMENT_CACHE_SIZE = 512


@cache
def _limit_rules(max_depth: int, max_aliases: int) -> list[type[ASTValidationRule]]:
    """The depth and alias limits as validation rules, one set of classes per pair of limits.
    QueryDepthLimiter and MaxAliasesLimiter make new rule classes on every instance (every
    request), and the validation cache is keyed by the rule classes: it would never hit."""
    return [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]


def schema_extensions() -> list[Any]:
    """Limits, the parse and validation caches, and the optimizer every schema runs with.

    ValidationCache comes first: it sets the validation errors before the Refuse* extensions
    look at the document, so their errors, when they find any, are the ones answered."""
    return [
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        RefuseNulCharacters,
        RefuseImpossibleLookups,
        DjangoOptimizerExtension,
        lambda: AddValidationRules(
            _limit_rules(settings.NEXUS_GRAPHQL_MAX_DEPTH, settings.NEXUS_GRAPHQL_MAX_ALIASES)
        ),
        lambda: MaxTokensLimiter(max_token_count=settings.NEXUS_GRAPHQL_MAX_TOKENS),
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
    ]


class AuthenticatedGraphQLView(GraphQLView):
    """GraphQL with the REST API's authentication: JWT, API token, or session with CSRF."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The body is read into memory first so that the CSRF check of session authentication,
        # which parses the body through DRF, leaves it readable for Strawberry afterwards.
        request.body  # noqa: B018
        drf_request = Request(
            request,
            parsers=[parser() for parser in APIView.parser_classes],
            authenticators=[auth() for auth in APIView.authentication_classes],
        )
        try:
            request.user = drf_request.user
        except exceptions.AuthenticationFailed as exc:
            return problem_response(401, detail=str(exc.detail), code="authentication_failed")
        except exceptions.PermissionDenied as exc:
            return problem_response(403, detail=str(exc.detail), code="csrf_failed")
        except exceptions.ParseError as exc:
            # The CSRF check reads the body through DRF's parsers, which refused it.
            return problem_response(400, detail=str(exc.detail), code=str(exc.get_codes()))
        try:
            return super().dispatch(request, *args, **kwargs)
        except JSONTooDeep as exc:
            return problem_response(400, detail=str(exc), code="too_deep")

    def decode_json(self, data: str | bytes) -> object:
        """The body, variables and extensions, refused past the nesting limit (JSONTooDeep)."""
        return loads_bounded(data)
