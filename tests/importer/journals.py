"""Small journals written for these tests (our own words, in the shape learners use)."""

import io
import zipfile

JOURNAL = """# Ada's backend journal

## Project Objective

- Keep notes of the backend track

## Technologies Covered

- **Languages & Frameworks**: Python, Django
- **Database & ORM**: Postgres
- **Caching & Queues**: Redis

## Key Concepts

- Cursor pagination

## Monthly Worklog

### Month 1: Basics
- Models and migrations
- **Milestone 1:** First app

## Challenges & Solutions

1. **Slow list page**
   - *Problem:* One query per row.
   - *Solution:* select_related.

## Best Practices & Takeaways

- **Test query counts**
  Pin the number of queries.

- **Small commits**
  One change each.
"""


def changed_journal() -> str:
    """The journal with one practice's explanation changed and one practice added."""
    return JOURNAL.replace("Pin the number of queries.", "Pin queries at two page sizes.") + (
        "\n- **Read the traceback**\n  It names the line.\n"
    )


def numbered_journal(number: int) -> str:
    """JOURNAL with its own author, challenge and practices: a distinct journal per number."""
    text = JOURNAL
    for words in ("Ada", "Slow list page", "Test query counts", "Small commits", "Cursor"):
        text = text.replace(words, f"{words} {number}")
    return text


def journals_zip(count: int) -> bytes:
    """A zip of `count` distinct journals, one folder each (learner-NNN/README.md)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(count):
            archive.writestr(f"learner-{number:03}/README.md", numbered_journal(number))
    return buffer.getvalue()
