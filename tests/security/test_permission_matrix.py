"""Every REST route, GraphQL field and web page, asked as each of {anonymous, owner, other
learner, mentor, admin}, against one table (tests/security/permissions/). A route, field or
page without a row fails the guard; so does a row for something that does not exist."""

import pytest

from tests import figures
from tests.security import matrix
from tests.security.permissions import TABLE
from tests.security.world import ROLES


def test_every_route_field_and_page_has_a_row(tally):
    unclassified = sorted(matrix.everything() - {rule.key for rule in TABLE})
    tally(unclassified=len(unclassified))
    assert not unclassified, "no row in tests/security/permissions/ for:\n" + "\n".join(
        " ".join(part for part in key if part) for key in unclassified
    )


def test_every_row_names_something_that_exists():
    stale = sorted({rule.key for rule in TABLE} - matrix.everything())
    assert not stale, "rows for nothing that exists:\n" + "\n".join(" ".join(k) for k in stale)


# The marker has the test database made; the cells run in savepoints of the module's world.
@pytest.mark.django_db
@pytest.mark.parametrize("door", ["rest", "graphql", "web"])
def test_every_cell_answers_as_the_table_says(door, asker, tally):
    rows = [rule for rule in TABLE if rule.door == door]
    mismatches = []
    for rule in rows:
        for role in ROLES:
            answer = asker.ask(rule, role)
            if (problem := matrix.mismatch(rule, role, answer, asker.world)) is not None:
                mismatches.append(problem)
    cells = len(rows) * len(ROLES)
    tally(cells=cells, mismatches=len(mismatches))
    figures.report(f"permission matrix, {door}: {cells} cells, {len(mismatches)} mismatches")
    assert not mismatches, f"{len(mismatches)} cells differ from the table:\n" + "\n".join(
        mismatches
    )
