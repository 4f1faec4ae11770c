"""Loading and validating specs: every corpus spec, and every kind of bad input."""

import json

import pytest

from nexus.collab.openapi.errors import SpecError
from nexus.collab.openapi.loader import content_hash, load_document
from nexus.collab.openapi.operations import parse_operations
from nexus.collab.openapi.validate import validate_document
from tests.collab.conftest import PETS_V1, corpus_or_skip

# Corpus specs that must be refused, and the words their reason must contain.
REFUSED = {
    "0mar067__mtaa-haven-backend__openapi.json": ["Swagger 2.0", "/swagger"],
    "5iergiej__ziggo-assignment__openapi.json": ["'version' is a required property", "/info"],
    "5iergiej__ziggo-assignment__openapi.yaml": ["'version' is a required property", "/info"],
}


def load_and_validate(raw):
    document = load_document(raw)
    version = validate_document(document)
    return document, version


def test_every_corpus_spec_imports_or_is_refused_with_a_precise_reason():
    corpus = corpus_or_skip()
    files = sorted(path for path in corpus.iterdir() if path.is_file())
    assert len(files) >= 10
    for path in files:
        raw = path.read_bytes()
        if path.name in REFUSED:
            with pytest.raises(SpecError) as refused:
                load_and_validate(raw)
            message = " ".join(str(problem) for problem in refused.value.problems)
            for words in REFUSED[path.name]:
                assert words in message, (path.name, message)
            assert all(problem.line for problem in refused.value.problems), path.name
        else:
            document, version = load_and_validate(raw)
            assert version.startswith("3."), path.name
            assert parse_operations(document.data), path.name


def test_the_ziggo_spec_reports_each_missing_response_description_with_its_line():
    corpus = corpus_or_skip()
    raw = (corpus / "5iergiej__ziggo-assignment__openapi.yaml").read_bytes()
    with pytest.raises(SpecError) as refused:
        load_and_validate(raw)
    problems = refused.value.problems
    missing = [p for p in problems if "'description' is a required property" in p.message]
    assert missing
    lines = raw.decode().splitlines()
    for problem in missing:
        assert problem.pointer.startswith("/paths/")
        # The line is the one the pointer's last key is on.
        assert problem.pointer.rsplit("/", 1)[1] in lines[problem.line - 1]


def test_the_same_spec_as_yaml_and_as_json_hashes_the_same():
    corpus = corpus_or_skip()
    as_yaml = load_document((corpus / "5iergiej__ziggo-assignment__openapi.yaml").read_bytes())
    as_json = load_document((corpus / "5iergiej__ziggo-assignment__openapi.json").read_bytes())
    assert content_hash(as_yaml.data) == content_hash(as_json.data)


def test_yaml_status_codes_become_strings():
    document = load_document("a:\n  200: ok\n  true: yes\n  2024-01-02: day\n")
    assert document.data == {"a": {"200": "ok", "true": True, "2024-01-02": "day"}}


def refusal(raw):
    with pytest.raises(SpecError) as refused:
        load_and_validate(raw)
    return refused.value.problems


def test_a_billion_laughs_document_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 9):
        previous, name = chr(96 + index), chr(97 + index)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    problems = refusal("\n".join(lines))
    assert "billion laughs" in problems[0].message


def test_an_alias_that_contains_itself_is_refused():
    problems = refusal("a: &x\n  b: *x\n")
    assert "nested more than" in problems[0].message


def test_malformed_yaml_reports_its_line():
    problems = refusal("openapi: 3.0.0\ninfo:\n  title: [unclosed\n")
    assert "malformed" in problems[0].message
    assert problems[0].line is not None


def test_malformed_json_reports_its_line():
    problems = refusal('{\n  "openapi": "3.0.0",\n  "info": }\n')
    assert "JSON is malformed" in problems[0].message
    assert problems[0].line == 3


def test_python_tags_are_not_executed():
    problems = refusal("openapi: !!python/name:os.system\n")
    assert "cannot be read" in problems[0].message
    # A tag on a list or mapping is ignored: the value is read as plain data, never constructed.
    assert (
        "not supported" in refusal("openapi: !!python/object/apply:os.system ['true']\n")[0].message
    )


def test_specs_over_the_size_limit_are_refused():
    problems = refusal(b"#" * (5 * 1024 * 1024 + 1))
    assert "limit" in problems[0].message


def test_deeply_nested_json_is_refused():
    problems = refusal("[" * 5000 + "]" * 5000)
    assert "nested" in problems[0].message


def test_non_utf8_bytes_are_refused():
    assert "UTF-8" in refusal(b"openapi: \xff\xfe\n")[0].message


def test_empty_documents_are_refused():
    assert "empty" in refusal("   \n")[0].message


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("- just\n- a list\n", "top level is not a mapping"),
        ("title: My notes\n", "no 'openapi' field"),
        ("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", "Swagger 2.0"),
        ("openapi: 2.5.0\ninfo: {title: x, version: '1'}\npaths: {}\n", "not supported"),
    ],
)
def test_documents_that_are_not_openapi_3_are_refused_with_a_reason(raw, words):
    assert words in refusal(raw)[0].message


def test_external_references_are_refused_not_fetched():
    spec = PETS_V1.replace(
        '{$ref: "#/components/schemas/NewPet"}', '{$ref: "http://169.254.169.254/x.yaml"}'
    )
    problems = refusal(spec)
    assert {p.pointer for p in problems} == {
        "/paths/~1pets/post/requestBody/content/application~1json/schema/$ref",
        "/components/schemas/Pet/allOf/0/$ref",
    }
    assert all("External reference" in p.message and p.line for p in problems)


def test_references_to_nothing_are_refused():
    spec = PETS_V1.replace("#/components/schemas/NewPet", "#/components/schemas/Missing")
    problems = refusal(spec)
    assert "points at nothing" in problems[0].message


def test_cyclic_references_are_accepted_and_resolved_with_a_stub():
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "Tree", "version": "1"},
        "paths": {
            "/nodes": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "A tree",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Node"}
                                }
                            },
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "properties": {
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Node"},
                        }
                    },
                }
            }
        },
    }
    document, _ = load_and_validate(json.dumps(spec))
    [operation] = parse_operations(document.data)
    schema = operation.detail["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["properties"]["children"]["items"] == {
        "x-circular-ref": "#/components/schemas/Node"
    }


def test_validation_errors_carry_pointer_and_line():
    spec = PETS_V1.replace('"400": {description: Invalid pet}', '"400": {}')
    problems = refusal(spec)
    line = next(n for n, text in enumerate(spec.splitlines(), 1) if '"400"' in text)
    assert [(p.pointer, p.line) for p in problems] == [("/paths/~1pets/post/responses/400", line)]
    assert "'description' is a required property" in problems[0].message


def spec_with_schemas(schemas, root):
    return json.dumps(
        {
            "openapi": "3.0.3",
            "info": {"title": "x", "version": "1"},
            "paths": {
                "/a": {
                    "get": {
                        "responses": {
                            "200": {
                                "description": "d",
                                "content": {"application/json": {"schema": {"$ref": root}}},
                            }
                        }
                    }
                }
            },
            "components": {"schemas": schemas},
        }
    )


def parse_refusal(raw):
    from nexus.collab.services.catalog import SpecRejectedError, parse_spec

    with pytest.raises(SpecRejectedError) as refused:
        parse_spec(raw)
    return refused.value.problems


def test_a_very_deep_chain_of_references_is_refused():
    chain = {
        f"S{i}": {"type": "object", "properties": {"n": {"$ref": f"#/components/schemas/S{i + 1}"}}}
        for i in range(120)
    }
    chain["S120"] = {"type": "string"}
    problems = parse_refusal(spec_with_schemas(chain, "#/components/schemas/S0"))
    assert "levels deep" in problems[0].message


def test_references_that_multiply_exponentially_are_refused():
    bomb = {
        f"B{i}": {
            "type": "object",
            "properties": {
                "left": {"$ref": f"#/components/schemas/B{i + 1}"},
                "right": {"$ref": f"#/components/schemas/B{i + 1}"},
            },
        }
        for i in range(18)
    }
    bomb["B18"] = {"type": "string"}
    problems = parse_refusal(spec_with_schemas(bomb, "#/components/schemas/B0"))
    assert "refer to each other many times" in problems[0].message


def test_a_nul_character_anywhere_is_refused_with_its_place():
    # PostgreSQL's jsonb cannot hold one: storing it was a 500.
    spec = json.loads(spec_with_schemas({"A": {"type": "string"}}, "#/components/schemas/A"))
    spec["info"]["description"] = "before\x00after"
    spec["components"]["schemas"]["A\x00B"] = {"type": "string"}
    problems = refusal(json.dumps(spec))
    assert sorted(p.pointer for p in problems) == ["/components/schemas", "/info/description"]
    assert all("NUL character" in p.message for p in problems)
    assert all(p.line for p in problems)
