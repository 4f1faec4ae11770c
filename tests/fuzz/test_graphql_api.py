"""hypothesis-graphql over the whole GraphQL schema, in-process, signed in as a learner.

Every generated document is valid against the schema (queries and mutations, any subset of root
fields, any arguments), so every answer must be data or an expected refusal. A server error is an
HTTP 5xx, or a resolver failing with an exception nobody raised on purpose: the GraphQL view does
not mask errors, so such an exception would reach the client as its own message.
"""

import logging

import graphql
import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries
from werkzeug.test import Client

from nexus.graphql import schema as nexus_schema
from tests.fuzz import harness
from tests.fuzz.harness import BUDGET

pytestmark = harness.MARKS

SDL = graphql.build_schema(nexus_schema.as_str())

# Values for the scalars GraphQL does not define itself, as literals their parsers accept (and, for
# text, some they refuse).
SCALARS = {
    "Date": st.dates().map(lambda day: nodes.String(day.isoformat())),
    "DateTime": st.datetimes().map(lambda moment: nodes.String(moment.isoformat() + "Z")),
    "Time": st.times().map(lambda moment: nodes.String(moment.isoformat())),
    "JSON": st.one_of(st.text(max_size=20).map(nodes.String), st.integers().map(nodes.Int)),
}
DOCUMENTS = st.one_of(queries(SDL, custom_scalars=SCALARS), mutations(SDL, custom_scalars=SCALARS))

# What a resolver raises on purpose: refusals, missing objects, invalid input; GraphQL's own
# errors (validation, limits, NUL characters) carry no original exception at all.
EXPECTED = (
    PermissionDenied,
    PermissionError,
    ValidationError,
    ObjectDoesNotExist,
    Http404,
    graphql.GraphQLError,
)


class ResolverFailures(logging.Handler):
    """Strawberry logs every error of a result, with the exception behind it, if any."""

    def __init__(self) -> None:
        super().__init__()
        self.unexpected: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        failure = record.exc_info[1] if record.exc_info else None
        if failure is not None and not isinstance(failure, EXPECTED):
            self.unexpected.append(f"{type(failure).__name__}: {failure} ({record.getMessage()})")


@pytest.fixture
def resolver_failures():
    handler = ResolverFailures()
    logger = logging.getLogger("strawberry.execution")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def counted_graphql(learner_headers, request):
    app = harness.CountedApp()
    client = Client(app)
    yield app, client
    app.tally.report(request.node, "graphql")


def test_generated_queries_and_mutations_never_fail_on_the_server(
    counted_graphql, learner_headers, resolver_failures
):
    app, client = counted_graphql

    @settings(
        max_examples=BUDGET.graphql_queries,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(document=DOCUMENTS)
    def answers(document: str) -> None:
        resolver_failures.unexpected.clear()
        app.tally.operations.update(_root_fields(document))
        response = client.post(
            "/graphql/",
            json={"query": document},
            headers=learner_headers,
            base_url="http://localhost",
        )
        assert response.status_code < 500, document
        assert resolver_failures.unexpected == [], document

    answers()
    assert app.tally.server_errors == []


def _root_fields(document: str) -> set[str]:
    operation = graphql.parse(document).definitions[0]
    assert isinstance(operation, graphql.OperationDefinitionNode)
    kind = operation.operation.value
    return {
        f"{kind} {selection.name.value}"
        for selection in operation.selection_set.selections
        if isinstance(selection, graphql.FieldNode)
    }
