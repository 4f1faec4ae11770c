"""What the parser makes of the shapes real journals take (issue #16's error classes), on small
documents written for these tests."""

from nexus.importer.parsing import parse_document


def _parse(text: str):
    return parse_document(text.encode(), path="README.md")


def _groups(text: str) -> dict[str, list[str]]:
    return {group.category: group.names for group in _parse(text).technology_groups}


def test_a_flat_technology_list_has_no_invented_categories():
    groups = _groups("## Technologies Covered\n\n- **Python**: the language\n- **Docker**\n")
    assert groups == {"": ["Python", "Docker"]}


def test_the_authors_own_groupings_are_the_categories():
    text = (
        "## Tech Stack\n\n### Core\n\n- Python\n- Redis\n\n### Docker & Kubernetes\n\n"
        "- Containers for every service\n\n## Tools\n\n- **Databases:** PostgreSQL, MySQL\n"
        "- **CI/CD:** GitHub Actions\n- **System Design:** scalable architectures\n"
    )
    assert _groups(text) == {
        "Core": ["Python", "Redis"],
        "": ["Docker", "Kubernetes"],
        "Databases": ["PostgreSQL", "MySQL"],
        "CI/CD": ["GitHub Actions"],
    }


def test_a_plain_caption_line_above_a_list_groups_it():
    text = (
        "# Notes\n\n## Technologies Covered\nCore Stack\n* Python\n* Django\n\nQueues\n* Celery\n"
    )
    assert _groups(text) == {"Core Stack": ["Python", "Django"], "Queues": ["Celery"]}


def test_descriptions_are_not_technologies():
    text = "## Technologies\n\n- Unit Testing\n- Separation of concerns\n- Styled Components\n"
    assert _parse(text).technologies == ["Styled Components"]


def test_concept_sub_headings_are_the_concepts_and_their_bullets_explain_them():
    text = (
        "## Key Concepts\n\n### Database Design\n\n- Normal forms\n- Indexes\n\n"
        "### Caching\n\n- Cache-aside\n\n## Challenges\n\n- **Slow page**: added an index\n"
    )
    concepts = _parse(text).concepts
    assert [concept.title for concept in concepts] == ["Database Design", "Caching"]
    assert "Normal forms" in concepts[0].explanation


def test_a_concepts_heading_inside_learnings_is_not_itself_a_concept():
    text = (
        "## Major Learnings\n\n### Important Concepts\n\n- **Caching** \u2013 fewer queries\n"
        "- **Async** \u2013 background work\n\n## Challenges\n\n- Slow page\n"
    )
    assert [c.title for c in _parse(text).concepts] == ["Caching", "Async"]


def test_next_steps_and_future_plans_are_not_challenges_or_concepts():
    text = (
        "## Challenges\n\n- **Slow page**: added an index\n\n## Next Steps\n\n"
        "1. Learn Kubernetes\n2. Deploy\n\n## Future Learning Goals\n\n- Explore Kafka\n"
    )
    document = _parse(text)
    assert [c.title for c in document.challenges] == ["Slow page"]
    assert document.concepts == []


def _challenges(body: str):
    return _parse(
        f"## Challenges & Solutions\n\n{body}\n\n## Best Practices\n\n- Test\n"
    ).challenges


def test_numbered_solution_steps_are_the_solution_not_more_challenges():
    challenges = _challenges(
        "### Challenge 1: Slow feed\n\n**Problem:** One query per post.\n\n**Solution:**\n\n"
        "1. Added select_related\n2. Cached the page\n"
    )
    assert [(c.title, c.problem) for c in challenges] == [("Slow feed", "One query per post.")]
    assert challenges[0].solution == "Added select_related\nCached the page"


def test_problem_and_solution_in_one_paragraph_are_split():
    text = "Problem: Offset pages got slow\\\nSolution: cursor pagination"
    (challenge,) = _challenges(text)
    assert (challenge.problem, challenge.solution) == ("Offset pages got slow", "cursor pagination")


def test_a_solved_by_remark_is_the_solution():
    (challenge,) = _challenges("- **Flaky CI**: Solved by pinning the images")
    assert (challenge.title, challenge.problem) == ("Flaky CI", "")
    assert challenge.solution == "Solved by pinning the images"


def test_what_i_saw_and_what_i_did_belong_to_the_challenge_above():
    (challenge,) = _challenges(
        "1) **Missing fields**\n- What I saw: posters were absent.\n- What I did: placeholders."
    )
    assert challenge.title == "Missing fields"
    assert (challenge.problem, challenge.solution) == ("posters were absent.", "placeholders.")


def test_a_solution_written_under_the_challenge_heading_is_kept():
    (challenge,) = _challenges("### Challenge: Styling drift\n\n**Solution:**\nOne design system.")
    assert (challenge.title, challenge.solution) == ("Styling drift", "One design system.")


def test_titles_are_not_cut_at_abbreviations():
    (challenge,) = _challenges("- REST vs. GraphQL for feeds, e.g. the home page. It was slow.")
    assert challenge.title == "REST vs. GraphQL for feeds, e.g. the home page"


def test_a_challenge_is_tagged_with_the_technologies_it_mentions():
    from nexus.importer.items import FileContext, items_for

    text = (
        "## Technologies\n\n- Python\n- Docker\n- Redis\n\n## Challenges\n\n"
        "- **Slow feed**: Solved by caching in Redis\n"
    )
    context = FileContext(source_key="t", source_label="t", path="README.md")
    (challenge,) = [i for i in items_for(_parse(text), context) if i.kind == "challenge"]
    assert challenge.data["technologies"] == ["Redis"]


def test_practices_on_lines_of_their_own_are_one_each():
    text = (
        "## Challenges\n\n- Slow page\n\n## ✅ Best Practices\n"
        "✅ Test early\n✅ **Log** errors with context\n✅ Cache wisely\n"
    )
    assert [p.title for p in _parse(text).practices] == [
        "Test early",
        "Log errors with context",
        "Cache wisely",
    ]


def test_a_tip_section_holds_practices_and_a_lesson_number_does_not():
    document = _parse(
        "## Challenges\n\n- Slow page\n\n## ProDev Tip!\n\n- Pick a project in week one\n\n"
        "## Lesson 3: Docker\n\n- Images and containers\n"
    )
    assert [p.title for p in document.practices] == ["Pick a project in week one"]


def test_weeks_written_as_bullets_of_a_worklog_are_periods():
    document = _parse(
        "## Challenges\n\n- Slow page\n\n## Week-by-Week Highlights\n\n"
        "- **Week 1-2:** Setup and Django basics\n- **Week 3:** GraphQL\n"
    )
    assert [(w.number, w.title) for w in document.weeks] == [
        (1, "Setup and Django basics"),
        (3, "GraphQL"),
    ]
