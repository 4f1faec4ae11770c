"""Ids given as text (GraphQL ID arguments, follow targets): which primary key they name, if any.

Kept apart from nexus.core.graphql so that what only parses an id does not load the GraphQL stack.
"""

import re

# Primary keys are PostgreSQL bigints: ids past this one name no row.
MAX_PK = 2**63 - 1
DIGITS = re.compile(r"[0-9]{1,19}")


def pk_from_id(value: str) -> int | None:
    """The primary key an ID argument names, or None when no row can have it (not a whole
    number, or past bigint): the ORM would raise ValueError on it, a bug in the answer."""
    if not DIGITS.fullmatch(value) or not 0 < (pk := int(value)) <= MAX_PK:
        return None
    return pk
