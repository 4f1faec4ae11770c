"""Programs (the default one ships as data), milestone progress, submission and mentor review."""

import pytest

from nexus.journal.models import MilestoneProgress
from tests.factories import UserFactory

PROGRAMS = "/api/v1/programs/"
MILESTONES = "/api/v1/milestones/"


def test_the_default_program_has_four_months_and_six_milestones(api_client, db):
    response = api_client.get(PROGRAMS)
    assert response.status_code == 200
    program = response.json()["results"][0]
    assert program["slug"] == "prodev-backend-engineering"
    assert program["is_default"] is True
    months = program["months"]
    assert [m["title"] for m in months] == [
        "Foundation Setup",
        "API Development & Docker",
        "DevOps, GraphQL & Deployment",
        "Final Project",
    ]
    by_month = {m["number"]: [ms["number"] for ms in m["milestones"]] for m in months}
    assert by_month == {1: [1], 2: [2, 3], 3: [4, 5, 6], 4: []}
    assert "django" in months[0]["topics"]
    titles = [ms["title"] for m in months for ms in m["milestones"]]
    assert titles[0] == "Project Setup & DB Configuration"
    assert titles[3:] == ["Background Tasks", "Deployment", "Monitoring"]


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 403), ("other_user", 403), ("mentor", 200), ("admin_user", 200)]
)
def test_only_mentors_and_admins_edit_programs(client_for, program, request, who, status):
    client = client_for(request.getfixturevalue(who))
    response = client.patch(f"{PROGRAMS}{program.slug}/", {"title": "Backend, renamed"})
    assert response.status_code == status
    program.refresh_from_db()
    assert (program.title == "Backend, renamed") == (status == 200)


def test_editing_a_program_rejects_unknown_fields_and_blank_titles(client_for, program, mentor):
    client = client_for(mentor)
    assert client.patch(f"{PROGRAMS}{program.slug}/", {"slug": "x"}).status_code == 400
    assert client.patch(f"{PROGRAMS}{program.slug}/", {"title": " "}).status_code == 400


def test_anonymous_users_cannot_edit_programs(api_client, program):
    assert api_client.patch(f"{PROGRAMS}{program.slug}/", {"title": "x"}).status_code in (401, 403)


def test_joining_a_cohort_gives_a_learner_every_milestone(client_for, learner):
    rows = client_for(learner).get(MILESTONES).json()["results"]
    assert [row["milestone"]["number"] for row in rows] == [1, 2, 3, 4, 5, 6]
    assert {row["status"] for row in rows} == {"not_started"}


def progress_of(learner, number=1):
    return MilestoneProgress.objects.get(learner=learner, milestone__number=number)


def test_submit_then_a_mentor_approves_and_the_milestone_is_done(client_for, learner, mentor):
    progress = progress_of(learner)
    submitted = client_for(learner).patch(
        f"{MILESTONES}{progress.pk}/",
        {
            "status": "submitted",
            "repository_url": "https://git.example.com/me/project",
            "evidence": [{"kind": "article", "title": "My setup", "url": "/articles/setup/"}],
        },
    )
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    reviewed = client_for(mentor).post(
        f"{MILESTONES}{progress.pk}/review/", {"decision": "approve", "comment": "Well done"}
    )
    assert reviewed.status_code == 200, reviewed.json()
    body = reviewed.json()
    assert body["status"] == "done"
    assert body["review_comment"] == "Well done"
    assert body["reviewer"]["id"] == mentor.pk


def test_asking_for_changes_needs_a_comment_and_reopens_the_milestone(client_for, learner, mentor):
    progress = progress_of(learner)
    client_for(learner).patch(f"{MILESTONES}{progress.pk}/", {"status": "submitted"})
    url = f"{MILESTONES}{progress.pk}/review/"
    assert client_for(mentor).post(url, {"decision": "changes"}).status_code == 400
    response = client_for(mentor).post(url, {"decision": "changes", "comment": "Add tests"})
    assert response.json()["status"] == "in_progress"


def test_a_learner_cannot_mark_their_own_milestone_done(client_for, learner):
    progress = progress_of(learner)
    response = client_for(learner).patch(f"{MILESTONES}{progress.pk}/", {"status": "done"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"


def test_only_a_submitted_milestone_is_reviewed(client_for, learner, mentor):
    progress = progress_of(learner)
    response = client_for(mentor).post(
        f"{MILESTONES}{progress.pk}/review/", {"decision": "approve"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("who", "sees", "updates", "reviews"),
    [
        ("owner", 200, 200, 403),
        ("other_user", 404, 404, 404),
        ("mentor", 200, 403, 200),
        ("admin_user", 200, 403, 200),
    ],
)
def test_milestone_permission_matrix(client_for, learner, request, who, sees, updates, reviews):
    progress = progress_of(learner)
    progress.status = "submitted"
    progress.save()
    client = client_for(request.getfixturevalue(who))
    assert client.get(f"{MILESTONES}{progress.pk}/").status_code == sees
    assert client.patch(f"{MILESTONES}{progress.pk}/", {"note": "x"}).status_code == updates
    review = client.post(f"{MILESTONES}{progress.pk}/review/", {"decision": "approve"})
    assert review.status_code == reviews


def test_anonymous_users_see_no_milestones(api_client, learner):
    assert api_client.get(MILESTONES).status_code in (401, 403)


def test_bad_milestone_input_is_400(client_for, learner):
    progress = progress_of(learner)
    client = client_for(learner)
    url = f"{MILESTONES}{progress.pk}/"
    assert client.patch(url, {"repository_url": "not a url"}).status_code == 400
    assert client.patch(url, {"status": "finished"}).status_code == 400
    assert client.patch(url, {"evidence": [{"kind": "x"}]}).status_code == 400
    bad_link = {"kind": "x", "title": "t", "url": "javascript:alert(1)"}
    assert client.patch(url, {"evidence": [bad_link]}).status_code == 400
    assert client.get(MILESTONES, {"status": "finished"}).status_code == 400


@pytest.mark.parametrize("count", [1, 6])
def test_listing_milestones_takes_the_same_queries_whatever_their_number(
    client_for, cohort, mentor, django_assert_max_num_queries, count
):
    from nexus.journal import services

    for _ in range(count):
        services.cohort_add_learner(actor=mentor, cohort=cohort, learner=UserFactory())
    with django_assert_max_num_queries(4):
        response = client_for(mentor).get(MILESTONES, {"page_size": 100})
    assert len(response.json()["results"]) == count * 6


@pytest.mark.parametrize("extra", [0, 3])
def test_listing_programs_takes_the_same_queries_whatever_their_number(
    api_client, program, django_assert_max_num_queries, extra
):
    from nexus.journal.models import Program

    for n in range(extra):
        Program.objects.create(slug=f"p{n}", title=f"Program {n}")
    with django_assert_max_num_queries(6):
        response = api_client.get(PROGRAMS)
    assert len(response.json()["results"]) == extra + 1


def test_evidence_offers_the_articles_a_learner_wrote_this_month(client_for, owner):
    from nexus.knowledge.models import Article

    Article.objects.create(slug="my-setup", title="My setup", body="x", author=owner)
    Article.objects.create(slug="theirs", title="Theirs", body="x", author=UserFactory())
    response = client_for(owner).get("/api/v1/journal/evidence/")
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["results"]] == ["My setup"]
    assert client_for(owner).get("/api/v1/journal/evidence/", {"month": "x"}).status_code == 400
    # The months at either end of the range read back as YYYY-MM.
    for month in ("1900-01", "9998-12"):
        answer = client_for(owner).get("/api/v1/journal/evidence/", {"month": month})
        assert answer.json()["month"] == month
    # 9999-12 ends past the last date there is: this was a 500.
    for month in ("0001-01", "9999-12"):
        outside = client_for(owner).get("/api/v1/journal/evidence/", {"month": month})
        assert outside.status_code == 400
        assert outside.json()["errors"][0]["field"] == "month"


def test_the_admin_site_shows_membership_history_but_adds_nobody(cohort, admin_user, learner):
    """People join through the app (invitations, the cohort page); the admin only reads."""
    from django.test import Client

    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/journal/cohort/{cohort.pk}/change/").content.decode()
    assert learner.display_name in page or str(learner) in page
    assert (
        'name="memberships-MAX_NUM_FORMS" value="0"' in page
        or "memberships-__prefix__-learner" not in page
    )


def test_a_mentor_edits_a_months_topics_and_a_milestones_text(client_for, program, mentor):
    response = client_for(mentor).patch(
        f"{PROGRAMS}{program.slug}/",
        {
            "months": [{"number": 4, "title": "Capstone", "topics": ["docker", "redis"]}],
            "milestones": [{"number": 6, "description": "Dashboards and alerts."}],
        },
    )
    assert response.status_code == 200, response.json()
    month = response.json()["months"][3]
    assert (month["title"], sorted(month["topics"])) == ("Capstone", ["docker", "redis"])
    milestone = response.json()["months"][2]["milestones"][2]
    assert milestone["description"] == "Dashboards and alerts."


@pytest.mark.parametrize(
    "changes",
    [
        {"months": [{"number": 9, "title": "Nope"}]},
        {"months": [{"number": 1, "topics": ["no-such-tech"]}]},
        {"milestones": [{"number": 1, "title": " "}]},
        {"milestones": [{"number": 1, "colour": "red"}]},
    ],
)
def test_bad_program_edits_are_400_and_change_nothing(client_for, program, mentor, changes):
    before = client_for(mentor).get(f"{PROGRAMS}{program.slug}/").json()
    response = client_for(mentor).patch(f"{PROGRAMS}{program.slug}/", changes)
    assert response.status_code == 400
    assert client_for(mentor).get(f"{PROGRAMS}{program.slug}/").json() == before


def test_a_milestone_filter_that_is_no_whole_number_is_a_field_error(client_for, mentor):
    response = client_for(mentor).get(MILESTONES, {"milestone": "0.5"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "milestone"
