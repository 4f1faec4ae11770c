"""Decide whether a loaded document is an OpenAPI 3.0 / 3.1 spec we accept, and say why not."""

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

from nexus.collab.openapi.errors import SpecError, SpecProblem, pointer_of
from nexus.collab.openapi.loader import LoadedDocument
from nexus.collab.openapi.resolve import resolve_pointer

if TYPE_CHECKING:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

MAX_PROBLEMS = 50
SWAGGER_2_REFUSAL = (
    "Swagger 2.0 documents are not accepted. Convert it to OpenAPI 3 first (for example with "
    "swagger2openapi or editor.swagger.io's 'Convert to OpenAPI 3'), then upload the result."
)


def validate_document(document: LoadedDocument) -> str:
    """Check a document is a valid OpenAPI 3.0 or 3.1 spec; returns its `openapi` version."""
    data = document.data
    if not isinstance(data, dict):
        raise SpecError.single("This is not an OpenAPI document: its top level is not a mapping.")
    if "swagger" in data:
        raise SpecError.single(SWAGGER_2_REFUSAL, "/swagger", document.line_of("/swagger"))
    version = data.get("openapi")
    if version is None:
        raise SpecError.single(
            "This is not an OpenAPI document: it has no 'openapi' field (expected 3.0.x or 3.1.x)."
        )
    version = str(version)
    if not version.startswith(("3.0", "3.1")):
        raise SpecError.single(
            f"OpenAPI {version} is not supported; upload an OpenAPI 3.0.x or 3.1.x document.",
            "/openapi",
            document.line_of("/openapi"),
        )
    problems = list(_nul_problems(document)) or list(_reference_problems(document))
    if problems:
        raise SpecError(problems[:MAX_PROBLEMS])
    validator_class = _spec_validator(version[:3])
    try:
        errors = list(validator_class(data).iter_errors())
    except RecursionError as exc:
        raise SpecError.single("The spec's references are nested too deeply to validate.") from exc
    if errors:
        raise SpecError([_problem(document, error) for error in errors[:MAX_PROBLEMS]])
    return version


@cache
def _spec_validator(version: str) -> "type[OpenAPIV30SpecValidator | OpenAPIV31SpecValidator]":
    """openapi-spec-validator's validator for 3.0 or 3.1, always checking with jsonschema.

    It prefers jsonschema-rs when that is installed (a development dependency brings it), whose
    errors carry no sub-errors for best_match to choose from: the messages would change with what
    happens to be installed.
    """
    # Imported on the first spec validated, not at start-up: it costs every process (the CLI,
    # each web worker) a quarter of a second, and few ever validate a spec.
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    from openapi_spec_validator.schemas import schema_v30, schema_v31

    base = OpenAPIV31SpecValidator if version == "3.1" else OpenAPIV30SpecValidator
    schema = schema_v31 if version == "3.1" else schema_v30
    schema_validator = validator_for(schema)(schema)
    return type(f"JsonSchema{base.__name__}", (base,), {"schema_validator": schema_validator})


def iter_refs(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every `$ref` string in a document, with where it is."""
    stack: list[tuple[tuple[Any, ...], Any]] = [(path, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield where, ref
            stack.extend(((*where, key), child) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend(((*where, index), child) for index, child in enumerate(node))


def _nul_problems(document: LoadedDocument) -> Iterator[SpecProblem]:
    """Text holding a NUL character, which PostgreSQL cannot store (it was a 500)."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), document.data)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(key, str) and "\x00" in key:
                    yield _nul_problem(document, where)
                stack.append(((*where, key), child))
        elif isinstance(node, list):
            stack.extend(((*where, index), child) for index, child in enumerate(node))
        elif isinstance(node, str) and "\x00" in node:
            yield _nul_problem(document, where)


def _nul_problem(document: LoadedDocument, where: tuple[Any, ...]) -> SpecProblem:
    pointer = pointer_of(list(where))
    message = "Text here holds a NUL character (\\u0000), which a spec may not contain."
    return SpecProblem(message, pointer, document.line_of(pointer))


def _reference_problems(document: LoadedDocument) -> Iterator[SpecProblem]:
    for where, ref in iter_refs(document.data):
        pointer = pointer_of([*where, "$ref"])
        line = document.line_of(pointer)
        if not ref.startswith("#"):
            yield SpecProblem(
                f"External reference '{ref}' is not fetched: bundle the spec into one document "
                "(for example with `redocly bundle`) and upload that.",
                pointer,
                line,
            )
        elif resolve_pointer(document.data, ref) is None:
            yield SpecProblem(
                f"Reference '{ref}' points at nothing in this document.", pointer, line
            )


def _problem(document: LoadedDocument, error: Any) -> SpecProblem:
    # A oneOf/anyOf failure says only "not valid under any of the given schemas"; the most
    # relevant sub-error says what is actually missing or wrong.
    detail = best_match(error.context) if getattr(error, "context", None) else None
    chosen = detail or error
    pointer = pointer_of(list(chosen.absolute_path))
    return SpecProblem(chosen.message[:500], pointer, document.line_of(pointer))
