"""The same journal in other markup reads the same (issue #16): authors start their headings at
`##`, write sub-headings as bold lines, and leave out the blank lines between them. Every
document here is written for the test."""

import pytest

from nexus.importer.parsing import parse_document
from tests.importer.rewrites import bold_from, demoted, without_blank_lines

JOURNAL = """# My Backend Learning Journey

## Overview
Six months of building APIs, written down as I went.

## Key Technologies
### Backend
- Django
- Celery
- PostgreSQL

### Frontend
- React
- TypeScript

## Important Concepts
### Caching
- Keep hot reads in Redis with a short expiry

### Database Design
- Normalise first, then add indexes for the real queries

## Challenges Faced
### Challenge 1: Slow list pages
**Problem:** Every row of the list queried its author again.
**Solution:** Used select_related on the author.

### Challenge 2: Emails blocked requests
**Problem:** Sending mail inside the request took seconds.
**Solution:** Moved the sending to a Celery task.

## Best Practices
- Write a failing test before fixing a bug
- Keep secrets in environment variables

## Conclusion
- Six months well spent
"""


def _reading(text: str) -> dict[str, object]:
    document = parse_document(text.encode(), path="README.md")
    return {
        "technologies": [(g.category, g.names) for g in document.technology_groups],
        "concepts": [c.title for c in document.concepts],
        "challenges": [(c.title, c.problem, c.solution) for c in document.challenges],
        "practices": [p.title for p in document.practices],
    }


def test_the_journal_as_written_reads_as_its_author_meant():
    reading = _reading(JOURNAL)
    assert reading["technologies"] == [
        ("Backend", ["Django", "Celery", "PostgreSQL"]),
        ("Frontend", ["React", "TypeScript"]),
    ]
    assert reading["concepts"] == ["Caching", "Database Design"]
    assert reading["challenges"] == [
        (
            "Slow list pages",
            "Every row of the list queried its author again.",
            "Used select_related on the author.",
        ),
        (
            "Emails blocked requests",
            "Sending mail inside the request took seconds.",
            "Moved the sending to a Celery task.",
        ),
    ]
    assert reading["practices"] == [
        "Write a failing test before fixing a bug",
        "Keep secrets in environment variables",
    ]


@pytest.mark.parametrize(
    "rewrite",
    [
        # The title, "Learning Journey", names a kind of section: read as one, the conclusion
        # would become a concept.
        pytest.param(demoted, id="headings-a-level-deeper"),
        # "**Challenge 1: Slow list pages**" then lands right above "**Problem:** …", in the
        # same paragraph.
        pytest.param(bold_from(3), id="sub-headings-as-bold-lines"),
        # "**Key Technologies**" then holds "**Backend**" and "**Frontend**".
        pytest.param(bold_from(2), id="all-sections-as-bold-lines"),
        # Markdown reads everything under the title as one paragraph a line at a time.
        pytest.param(without_blank_lines(bold_from(2)), id="bold-lines-without-blank-lines"),
    ],
)
def test_the_same_journal_in_other_markup_reads_the_same(rewrite):
    assert _reading(rewrite(JOURNAL)) == _reading(JOURNAL)


def test_a_document_that_is_one_section_under_its_title_keeps_that_section():
    text = "# Technologies\n\n## Backend\n\n- Django\n- Celery\n\n## Frontend\n\n- React\n- Redux\n"
    assert _reading(text)["technologies"] == [
        ("Backend", ["Django", "Celery"]),
        ("Frontend", ["React", "Redux"]),
    ]
    assert _reading(demoted(text)) == _reading(text)


def test_sections_under_several_headings_at_the_top_level_keep_their_levels():
    # Two `##` headings at the top: neither is a title, so nothing is read a level up.
    text = "## Technologies\n- Django\n- Celery\n- Redis\n\n## Best Practices\n- Test first\n"
    reading = _reading(text)
    assert reading["technologies"] == [("", ["Django", "Celery", "Redis"])]
    assert reading["practices"] == ["Test first"]
