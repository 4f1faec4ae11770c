"""General rules about Markdown structure and wording that let the parser read journals it was
never tuned on (issue #16, held out v2). Every document here is written for the test."""

import pytest

from nexus.importer.parsing import parse_document
from nexus.importer.parsing.sections import classify_heading


def _parse(text: str):
    return parse_document(text.encode(), path="README.md")


def test_a_bare_solution_label_on_the_line_after_the_problem_owns_the_list_below_it():
    text = (
        "## Challenges\n\n### Challenge 1: Slow pages\n"
        "**Problem**: N+1 queries on the list  \n**Solution**:\n"
        "- Added select_related\n- Indexed the foreign keys\n\n"
        "### Challenge 2: Blocking emails\n**Problem**: sending blocked the request  \n"
        "**Solution**:\n- Moved sending to Celery\n"
    )
    challenges = _parse(text).challenges
    assert [c.title for c in challenges] == ["Slow pages", "Blocking emails"]
    assert challenges[0].problem == "N+1 queries on the list"
    assert "Indexed the foreign keys" in challenges[0].solution
    assert challenges[1].solution == "Moved sending to Celery"


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("ProDev Frontend Learners", ""),
        ("Fellow Backend Learners", ""),
        ("Chalenges I Faced", "challenges"),
        ("Key Lerned Concepts", "concepts"),
        ("Movie Recommendation Backend", ""),
        ("My Recommendations", "practices"),
        ("Lessons Overview", "concepts"),
        ("Lessons Learned", "practices"),
    ],
)
def test_people_words_and_singular_product_nouns_name_no_section(heading, kind):
    assert classify_heading(heading) == kind


PLAIN_JOURNAL = """My Journal

Overview

Notes from the programme.

Technologies Covered
Next.js - server-side rendering
TypeScript - type safety
Challenges and Solutions
What went wrong while building.

Efficient API Handling
Challenge: Too many API calls.
Solution: Cached the responses.

Scalable Component Design
Challenge: Components grew too large.
Solution: Split them by responsibility.

Best Practices and Key Takeaways
Build modular components
Type everything
Collaboration and Contribution
This repository is open for contributions.

Project Details

Repository: https://example.com/repo
"""


def test_a_plain_text_journal_opens_a_section_at_a_line_naming_its_kind_without_a_blank_line():
    document = _parse(PLAIN_JOURNAL)
    assert [p.title for p in document.practices] == [
        "Build modular components",
        "Type everything",
    ]
    assert "Challenges and Solutions" in [title for title, _kind in document.sections]


def test_in_a_plain_text_journal_title_lines_below_challenges_are_challenges_of_their_own():
    challenges = _parse(PLAIN_JOURNAL).challenges
    assert [(c.title, c.solution) for c in challenges] == [
        ("Efficient API Handling", "Cached the responses."),
        ("Scalable Component Design", "Split them by responsibility."),
    ]


def _groups(text: str) -> dict[str, list[str]]:
    return {group.category: group.names for group in _parse(text).technology_groups}


def test_a_technology_heading_over_topics_it_covers_is_one_technology_not_a_group():
    text = (
        "## Key Technologies\n\n### Django\n\n- Django ORM for database interactions\n"
        "- Model-View-Template (MVT) architecture\n- Authentication and authorization\n"
        "- Middleware and custom management commands\n- Framework fundamentals\n\n"
        "### CI/CD\n\n- Jenkins\n- GitHub Actions\n"
    )
    assert _groups(text) == {"": ["Django"], "CI/CD": ["CI/CD", "Jenkins", "GitHub Actions"]}


def test_a_bold_name_that_starts_a_list_of_names_is_one_of_them_not_their_group():
    text = "## Technologies\n\n- **Django** & Django REST Framework (DRF)\n- **Python**\n"
    assert _groups(text) == {"": ["Django", "Django REST Framework", "Python"]}


def test_groups_do_not_nest_a_bold_lead_under_the_authors_sub_heading_is_a_topic_of_it():
    text = (
        "## Technologies\n\n### Backend Essentials\n\n"
        "- **Database Design**: PostgreSQL, normalization\n- **Caching**: Redis\n\n"
        "## Other\n\n## Stack\n\n- **Queues:** Celery, RabbitMQ\n"
    )
    assert _groups(text) == {
        "Backend Essentials": ["PostgreSQL", "Redis"],
        "Queues": ["Celery", "RabbitMQ"],
    }


def test_a_named_lead_under_the_authors_group_still_counts_as_the_technology_it_names():
    text = "## Technologies\n\n### DevOps\n\n- **CI/CD Pipelines**: GitHub Actions, Jenkins\n"
    assert _groups(text) == {"DevOps": ["CI/CD", "GitHub Actions", "Jenkins"]}


def test_a_journal_written_with_level_one_sections_passes_their_kind_down():
    text = (
        "# My Nexus Journal\n\nNotes.\n\n# Technologies Covered\n\nCore Stack\n- Django\n- Redis\n\n"
        "Async & Background Tasks\n- Celery\n- RabbitMQ\n\n# Challenges\n\n- Slow pages: cached\n"
    )
    assert _groups(text) == {
        "Core Stack": ["Django", "Redis"],
        "Async & Background Tasks": ["Celery", "RabbitMQ"],
    }


def test_an_italic_sentence_introducing_a_list_is_no_heading():
    text = (
        "## Challenges Faced\n\n_Throughout the projects, I met several technical challenges:_\n\n"
        "- _Challenge_: Docker services could not reach each other.\n"
        "  - _Solution_: Put them on one compose network.\n"
        "- _Challenge_: Slow queries.\n  - _Solution_: select_related.\n"
    )
    challenges = _parse(text).challenges
    assert [c.title for c in challenges] == [
        "Docker services could not reach each other",
        "Slow queries",
    ]
    assert all(c.solution for c in challenges)


def test_a_table_pasted_with_tabs_right_under_a_plain_section_line_is_read_as_a_table():
    text = (
        "# Journal\n\nNotes.\n\n⚠️ Challenges & Solutions\nChallenge\t        Solution\n"
        "1.Slow API responses\t        Redis caching\n2.Long-running tasks\t   Celery workers\n"
    )
    challenges = _parse(text).challenges
    assert [(c.title, c.solution) for c in challenges] == [
        ("Slow API responses", "Redis caching"),
        ("Long-running tasks", "Celery workers"),
    ]


def test_a_code_fence_never_closed_does_not_swallow_the_rest_of_the_journal():
    text = (
        "# Journal\n\n## Projects\n\n```python\ndef view(request):\n    return None\n\n"
        "## Best Practices\n\n- Test early\n- Log errors\n"
    )
    assert [p.title for p in _parse(text).practices] == ["Test early", "Log errors"]


def test_a_closed_code_fence_keeps_its_headings_as_code():
    text = (
        "# Journal\n\n## Best Practices\n\n- Test early\n\n```md\n## Challenges\n- Not one\n```\n"
    )
    document = _parse(text)
    assert [p.title for p in document.practices] == ["Test early"]
    assert document.challenges == []


def test_a_bold_line_in_sentence_case_with_spaces_inside_its_marks_opens_its_section():
    text = (
        "# Notes\n## Key technologies covered\nPython, Django\n\n"
        "** Important backend development concepts: **\n"
        "Database Design, Asynchronous Programming, Caching Strategies\n"
    )
    assert [c.title for c in _parse(text).concepts] == [
        "Database Design",
        "Asynchronous Programming",
        "Caching Strategies",
    ]


def test_a_concepts_heading_inside_the_technologies_lists_technologies_but_a_bold_line_does_not():
    text = (
        "## Key Technologies\n\n### Core\n\n- Next.js\n- React\n\n"
        "### Advanced Frontend Concepts\n\n- PWA\n- Zustand\n\n"
        "**Important concepts:**\nHydration, Code Splitting\n"
    )
    document = _parse(text)
    assert [c.title for c in document.concepts] == ["Hydration", "Code Splitting"]
    assert {"PWA", "Zustand"} <= set(document.technologies)


def test_placeholders_are_no_entries():
    text = (
        "# Journal\n\n## Challenges\n\n- Slow pages\n\n## Best Practices\n\n(To be added by me)\n"
    )
    document = _parse(text)
    assert document.practices == []
    assert [c.title for c in document.challenges] == ["Slow pages"]


def test_a_caption_right_under_one_list_and_over_the_next_captions_the_next():
    text = (
        "## Key Concepts\n"
        "Database Design:\n1. Normalised the schema.\n2. Indexed the foreign keys.\n"
        "Caching Strategies:\n1. Cached the product list.\n"
    )
    concepts = _parse(text).concepts
    assert [c.title for c in concepts] == ["Database Design", "Caching Strategies"]


def test_a_lead_that_is_only_another_word_for_the_name_after_it_is_the_authors_group():
    text = (
        "## Tech Stack\n\n- **Backend:** Django, Celery\n- **Containerization:** Docker\n"
        "- **Docker:** Docker Compose\n"
    )
    assert _groups(text) == {
        "Backend": ["Django", "Celery"],
        "Containerization": ["Docker"],
        "": ["Docker"],
    }


def test_prose_wrapped_by_hand_under_practices_is_one_statement_per_sentence_start():
    text = (
        "# Journal\n\n## Challenges\n\n- Slow pages\n\n## Best Practices\n\n"
        "Write tests before the code they check, so that a refactor\n"
        "never breaks what already works.\n"
        "✅ Log errors\n✅ Cache wisely\n"
    )
    assert [p.title for p in _parse(text).practices] == [
        "Write tests before the code they check, so that a refactor never breaks what already works",
        "Log errors",
        "Cache wisely",
    ]


def test_a_bold_tip_inside_the_collaboration_footer_yields_no_practices():
    text = (
        "# Project\n\n## Features\n\n- Polls\n\n## Collaboration Hub\n\n### Where to Collaborate\n\n"
        "- **Discord**: the channel\n\n💡 **ProDev Tip!**\n\n- Use the first week to talk.\n"
    )
    assert _parse(text).practices == []


def test_stray_lines_of_code_under_practices_are_no_practices():
    text = (
        "# Journal\n\n## Best Practices\n\n"
        "Keep views thin\n\nfunction List() {\n  return items.map((i) => (\n    <li>{i}</li>\n"
        "  ))}\n}\n\n);\n"
    )
    titles = [practice.title for practice in _parse(text).practices]
    assert "Keep views thin" in titles
    assert [title for title in titles if not any(ch.isalnum() for ch in title)] == []
