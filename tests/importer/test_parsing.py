"""The parser on the founding journal and on small documents written for these tests."""

import unicodedata

import pytest

from nexus.importer.parsing import BinaryContentError, parse_document
from nexus.importer.parsing.sections import classify_heading
from tests.importer.conftest import SEED_JOURNAL, shared_file


def test_founding_journal_yields_its_categories_challenges_practices_and_months():
    document = parse_document(shared_file(SEED_JOURNAL), path="README.md")
    assert document.is_journal
    assert len(document.technology_groups) == 8
    assert {"Python", "Django", "PostgreSQL", "Redis", "Celery"} <= set(document.technologies)
    assert len(document.challenges) == 2
    assert all(challenge.problem and challenge.solution for challenge in document.challenges)
    assert len(document.practices) == 10
    assert [month.number for month in document.months] == [1, 2, 3, 4]
    assert document.months[0].milestones
    assert "Project Objective" in document.overview


def test_founding_journal_mojibake_is_repaired():
    document = parse_document(shared_file(SEED_JOURNAL))
    assert "ðŸ" not in document.body
    assert "âœ…" not in document.body
    assert "📌" in document.body
    assert "repaired mis-decoded characters" in document.repairs


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("🚧 Challenges & Solutions", "challenges"),
        ("Challenges Faced and Solutions Implemented", "challenges"),
        ("Problems I ran into", "challenges"),
        ("Some Real Problems I Had to Solve", "challenges"),
        ("Chalenges I met", "challenges"),
        ("Best Practices & Personal Takeaways", "practices"),
        ("What I'd Do Differently", "practices"),
        ("🛠️ Key Technologies Covered", "technologies"),
        ("The Tech Stack I Got Comfortable With", "technologies"),
        ("Major Learnings", "concepts"),
        ("Month 3: DevOps", "month"),
        ("Week 2 \u2013 Advanced SQL", "week"),
        ("Installation", ""),
    ],
)
def test_headings_are_matched_fuzzily(heading, kind):
    assert classify_heading(heading) == kind


def test_bold_lines_tables_and_labelled_pairs_are_understood():
    text = """# My notes

**Tools I used:**
- Postgres for storage, psql for poking at it
- Celery + RabbitMQ \u2013 background jobs

## Problems I ran into

| Problem | Fix |
| --- | --- |
| Flaky tests | Froze the clock |

- **Problem:** Slow page
- **Solution:** Added an index

## Lessons learned

1. **Read logs first** \u2013 they name the failing line.
2. **Ship small** \u2013 small changes are easy to review.
"""
    document = parse_document(text.encode())
    assert document.is_journal
    assert {"PostgreSQL", "Celery", "RabbitMQ"} <= set(document.technologies)
    titles = {challenge.title: challenge.solution for challenge in document.challenges}
    assert titles["Flaky tests"] == "Froze the clock"
    assert titles["Slow page"] == "Added an index"
    assert [p.title for p in document.practices] == ["Read logs first", "Ship small"]
    assert all(p.kind == "takeaway" for p in document.practices)


def test_a_document_without_markdown_headings_still_has_sections():
    text = "Overview\n\nA plain text journal.\n\nKey Technologies\n\nDocker, Redis\n"
    document = parse_document(text.encode())
    assert ("Key Technologies", "technologies") in document.sections
    assert {"Docker", "Redis"} <= set(document.technologies)


def test_product_readme_gets_no_invented_challenges_or_practices():
    text = "# Shop API\n\n## Features\n\n- Carts\n- Orders\n\n## Installation\n\n```\nmake\n```\n"
    document = parse_document(text.encode())
    assert not document.is_journal
    assert document.challenges == []
    assert document.practices == []


def test_front_matter_is_read_safely_and_aliases_are_refused():
    good = parse_document(b"---\ntitle: Hello\ntags: [a, b]\n---\n# Body\n")
    assert good.title == "Hello"
    assert good.front_matter["tags"] == ["a", "b"]
    bomb = b"---\na: &x [1, 2]\nb: [*x, *x]\n---\n# Title here\n"
    assert parse_document(bomb).front_matter == {}


def test_windows_1252_crlf_merge_markers_and_non_english_text_are_handled():
    text = "# Journal\r\n\r\n<<<<<<< HEAD\r\n## Défis\r\n=======\r\n## Challenges\r\n>>>>>>> b\r\n- Ça marche\r\n"
    document = parse_document(text.encode("cp1252", errors="replace"))
    assert "<<<<<<<" not in document.body
    assert "\r" not in document.body
    assert "Ça marche" in document.body


def test_binary_content_is_refused():
    with pytest.raises(BinaryContentError):
        parse_document(b"\x89PNG\r\n\x1a\n\x00\x00\x00")


def test_control_characters_go_exactly_as_ftfy_removes_them():
    from ftfy.chardata import CONTROL_CHARS
    from ftfy.fixes import fix_line_breaks, remove_control_chars

    from nexus.importer.parsing.text import MOJIBAKE_HINT, decode_text

    # Every code point ftfy deletes, the whitespace it keeps, and the rest of the first planes,
    # but NUL (a binary file) and what would send the text through ftfy's full repair instead.
    codes = sorted(
        {*CONTROL_CHARS, *range(0x3000), *range(0xFE00, 0x10000)} - {*range(0xD800, 0xE000)}
    )
    kept = [chr(code) for code in codes if code and not MOJIBAKE_HINT.match(chr(code))]
    text = "".join(f"a{char}b\n" for char in kept if char not in "\r\x85")
    decoded, _repairs = decode_text(text.encode("utf-8"))
    assert "\x07" not in decoded
    assert "\ufeff" not in decoded
    assert "\t" in decoded
    assert decoded == unicodedata.normalize("NFC", remove_control_chars(fix_line_breaks(text)))
