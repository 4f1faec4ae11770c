"""Months named in URLs and query strings: `YYYY-MM`, within years every date computation takes.

A month's neighbours (the journal's previous/next links, the end of a month's range) and its
first instant in any time zone must exist: Python's dates end at year 9999 and start at year 1,
so `0000-01` and `9999-12` used to fail with a 500 where a 400 (or 404) was due.
"""

import re
from datetime import date

FIRST_YEAR = 1900
LAST_YEAR = 9998
MONTH_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")
MONTH_HELP = f"A month as YYYY-MM, from {FIRST_YEAR}-01 to {LAST_YEAR}-12."
# The same range as a regular expression, for the OpenAPI schema (its clients and schemathesis).
MONTH_SCHEMA_PATTERN = (
    r"^(?:19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(?:0[1-9]|1[0-2])$"
)


def parse_month(text: str) -> date:
    """The first day of the month `text` names; ValueError (saying why) when it names none."""
    match = MONTH_PATTERN.fullmatch(text)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValueError("Use YYYY-MM, such as 2026-03.")
    year = int(match[1])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Use a month from {FIRST_YEAR}-01 to {LAST_YEAR}-12.")
    return date(year, int(match[2]), 1)
