"""Dates written in a journal's text: "January 2025", "2025-03-14", "Mar 3, 2025",
"Week 3 (10-16 Feb 2025)", "Month 1 — Sept 2024".

A small set of regular expressions rather than a general date parser: a fuzzy parser finds dates
in "Python 3.12" or "May I add", and a wrong date is worse than none (the next dating rule then
applies). Every form needs a four-digit year; a range ("10-16 Feb 2025", "Jan-Mar 2025") counts
from its start. All-numeric day/month forms ("03/04/2025") are left out: the order of day and
month cannot be told from them.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

FIRST_YEAR = 1990
LAST_YEAR = 2100
MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# Longest names first, so that "September" is not read as "Sep" followed by "tember".
_NAMES = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))
_MONTH = rf"(?P<month>{_NAMES})\.?"
_OTHER_MONTH = rf"(?P<month_to>{_NAMES})\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_OTHER_DAY = r"[0-3]?\d(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_TO = r"\s*(?:-|\u2013|\u2014|to|until|through)\s*"

PATTERNS: list[tuple[re.Pattern[str], Literal["day", "month"]]] = [
    # 2025-03-14, 2025/03/14
    (
        re.compile(r"(?<![\d.])(?P<year>\d{4})([-/])(?P<number>\d{1,2})\2(?P<day>\d{1,2})(?!\d)"),
        "day",
    ),
    # 14 March 2025, 3rd of March, 2025, 10-16 Feb 2025, 28 Dec - 3 Jan 2025
    (
        re.compile(
            rf"(?<!\bweek\s)(?<!\bmonth\s)\b{_DAY}(?:{_TO}{_OTHER_DAY})?\s+(?:of\s+)?{_MONTH}"
            rf"(?:{_TO}{_OTHER_DAY}\s+{_OTHER_MONTH})?,?\s+{_YEAR}\b",
            re.IGNORECASE,
        ),
        "day",
    ),
    # Mar 3, 2025, March 3rd 2025, Feb 10-16, 2025, Feb 28 - Mar 6, 2025
    (
        re.compile(
            rf"\b{_MONTH}\s+{_DAY}(?:{_TO}(?:{_OTHER_MONTH}\s+)?{_OTHER_DAY})?,?\s+{_YEAR}\b",
            re.IGNORECASE,
        ),
        "day",
    ),
    # January 2025, Sept 2024, Jan-Mar 2025, Nov 2024 - Jan 2025
    (re.compile(rf"\b{_MONTH}(?:{_TO}{_OTHER_MONTH})?,?\s+{_YEAR}\b", re.IGNORECASE), "month"),
    # 2025-03
    (re.compile(r"(?<![\d.])(?P<year>\d{4})-(?P<number>0?[1-9]|1[0-2])(?![\d/-])"), "month"),
]


@dataclass(frozen=True)
class WrittenDate:
    day: dt.date
    # "day" when the text gives the day, "month" when only the month ("January 2025").
    precision: Literal["day", "month"]
    start: int  # where the text says it


def _date(match: re.Match[str], precision: str) -> dt.date | None:
    groups = match.groupdict()
    year = int(groups["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if groups.get("number"):
        month = int(groups["number"])
    elif groups["month"] == "may":
        return None  # "we may 2025 ..." is a verb; the month is written "May"
    else:
        month = MONTH_NUMBERS[groups["month"].lower()]
        later = groups.get("month_to")
        if later and MONTH_NUMBERS[later.lower()] < month:
            year -= 1  # "28 Dec - 3 Jan 2025" began in 2024
    day = int(groups["day"]) if precision == "day" else 1
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def dates_in(text: str) -> list[WrittenDate]:
    """Every date written in `text`, in the order written; overlapping readings keep the first
    and longest ("14 March 2025" is one date, not also "March 2025")."""
    found: list[tuple[int, int, WrittenDate]] = []
    for pattern, precision in PATTERNS:
        for match in pattern.finditer(text):
            day = _date(match, precision)
            if day is not None:
                written = WrittenDate(day, precision, match.start())
                found.append((match.start(), match.end(), written))
    found.sort(key=lambda entry: (entry[0], -entry[1]))
    kept: list[WrittenDate] = []
    taken_until = -1
    for start, end, written in found:
        if start >= taken_until:
            kept.append(written)
            taken_until = end
    return kept


def first_written_date(heading: str, body: str) -> WrittenDate | None:
    """The date a section says it covers: the first date of its heading, else the earliest date
    of its body (entries are written in the order they happened, notes may look back)."""
    in_heading = dates_in(heading)
    if in_heading:
        return in_heading[0]
    return min(dates_in(body), key=lambda written: written.day, default=None)
