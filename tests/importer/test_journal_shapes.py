"""Shapes of journals the labelled corpus holds few of (issue #16: generalise, do not fit files):
synonyms in headings, sections written as plain lines, tables pasted from web pages, named lines
and the author's groupings written in other ways. Every document here is written for the test."""

import pytest

from nexus.importer.parsing import parse_document
from nexus.importer.parsing.sections import classify_heading


def _parse(text: str):
    return parse_document(text.encode(), path="README.md")


def _groups(text: str) -> dict[str, list[str]]:
    return {group.category: group.names for group in _parse(text).technology_groups}


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("🚧 Roadblocks", "challenges"),
        ("Difficulties I Ran Into", "challenges"),
        ("Key Topics", "concepts"),
        ("Built With", "technologies"),
        ("Languages & Frameworks", "technologies"),
        ("Key Insights", "practices"),
        ("Acknowledgements", "other"),
        ("Authentication & Authorization", ""),
        ("Lesson 3: Advanced Git Techniques and Workflows", ""),
        ("Lesson 1: Introduction to Django", ""),
        ("Program Overview \u2014 for context on the backend side", "overview"),
        ("Known Issues", "other"),
    ],
)
def test_headings_in_a_learners_own_words_are_recognised_and_topics_are_not(heading, kind):
    assert classify_heading(heading) == kind


def test_a_table_with_a_category_column_groups_its_names():
    text = (
        "## Tech Stack\n\n| Layer | Tools |\n| --- | --- |\n"
        "| Backend | Django, Celery |\n| Data | PostgreSQL |\n"
    )
    assert _groups(text) == {"Backend": ["Django", "Celery"], "Data": ["PostgreSQL"]}


def test_name_lines_in_a_paragraph_are_the_authors_groups():
    text = "## Technologies\nBackend: Django (ORM), Celery (tasks)\nData: PostgreSQL\n"
    assert _groups(text) == {"Backend": ["Django", "Celery"], "Data": ["PostgreSQL"]}


def test_a_technology_heading_over_other_tools_groups_them_and_one_over_prose_does_not():
    text = (
        "## Technologies\n\n### CI/CD\n\n- **Jenkins**: builds on every push\n"
        "- **GitHub Actions**: the tests\n\n### Docker\n\n- Images for every service\n"
        "- Serialization of settings\n"
    )
    assert _groups(text) == {"CI/CD": ["CI/CD", "Jenkins", "GitHub Actions"], "": ["Docker"]}


def test_names_a_sentence_sets_in_bold_are_its_technologies():
    text = "## Tools\n\n- Background work ran on **Celery** with **RabbitMQ** as the broker.\n"
    assert _parse(text).technologies == ["Celery", "RabbitMQ"]


def test_concepts_written_as_bold_lines_are_one_each():
    text = (
        "## What I Learned\n**Rate limiting:** throttles per user.\n"
        "**Signals:** decoupled side effects.\n\n## Challenges\n\n- Slow page\n"
    )
    assert [c.title for c in _parse(text).concepts] == ["Rate limiting", "Signals"]


def test_sections_written_as_plain_lines_are_sections():
    text = (
        "# Notes\n\nSome words about the program.\n\n⚠️ Challenges & Solutions\n\n"
        "1.Slow pages: added an index\n2.Lost emails: a retry queue\n\n"
        "Best Practices\n\n- Review every change\n\n📚 API Documentation\n\n"
        "The endpoints are listed at /docs.\n"
    )
    document = _parse(text)
    assert [c.title for c in document.challenges] == ["Slow pages", "Lost emails"]
    assert [p.title for p in document.practices] == ["Review every change"]


def test_statements_after_pictographs_are_practices_not_headings():
    text = "## Challenges\n\n- Slow page\n\n## Takeaways\n\n🔒 Security first\n\n🧪 Test it all\n"
    assert [p.title for p in _parse(text).practices] == ["Security first", "Test it all"]


def test_a_table_pasted_with_tabs_keeps_its_challenges_and_solutions():
    text = (
        "## Challenges Faced\nChallenge\tSolution\nSlow search\tA trigram index\n"
        "Flaky deploys\tPinned images\n"
    )
    challenges = _parse(text).challenges
    assert [(c.title, c.solution) for c in challenges] == [
        ("Slow search", "A trigram index"),
        ("Flaky deploys", "Pinned images"),
    ]


def test_a_challenge_sub_heading_is_one_challenge_with_its_steps_as_solution():
    text = (
        "## Challenges\n\nA few hard weeks.\n\n### Slow queries\n- Added select_related\n"
        "- Added an index\n\n### Challenge 2: Flaky tests\n\n"
        "Problem: the clock moved. Solution: a fixed clock.\n"
    )
    challenges = _parse(text).challenges
    assert [(c.title, c.solution) for c in challenges] == [
        ("Slow queries", "Added select_related\nAdded an index"),
        ("Flaky tests", "a fixed clock."),
    ]


def test_a_heading_that_got_a_bullet_and_a_footer_are_understood():
    text = (
        "## Concepts\n\n- Caching\n\n- ## Challenges\n\n- Slow page\n\n"
        "## Acknowledgements\n\n- My mentors\n"
    )
    document = _parse(text)
    assert [c.title for c in document.concepts] == ["Caching"]
    assert [c.title for c in document.challenges] == ["Slow page"]
