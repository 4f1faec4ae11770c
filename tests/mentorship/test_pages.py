"""Mentorship's web pages: the milestone thread and its scoring form, rubrics, the rubric of each
milestone, the scoped review queue, and the cohort dashboard's rubric charts."""

import pytest
from django.test import Client

from nexus.journal import services as journal_services
from nexus.journal.models import MilestoneProgress
from nexus.mentorship import selectors
from nexus.mentorship.models import MilestoneReview, MilestoneRubric, Rubric
from nexus.mentorship.services.milestones import milestone_review, milestone_submit
from tests.factories import UserFactory
from tests.mentorship.conftest import GOOD_SCORES

pytestmark = pytest.mark.django_db


def browser(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def thread_url(progress):
    return f"/mentorship/milestones/{progress.pk}/"


def test_the_learner_sees_every_round_with_its_scores(progress, learner, mentor):
    milestone_submit(progress=progress, actor=learner, note="First go")
    milestone_review(
        progress=progress,
        reviewer=mentor,
        decision="changes_requested",
        comment="Add tests",
        scores=GOOD_SCORES,
    )
    milestone_submit(progress=progress, actor=learner, note="Second go")

    page = browser(learner).get(thread_url(progress))

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="round"') == 2
    assert html.count('data-testid="score"') == 2
    assert "Add tests" in html
    assert "Second go" in html
    assert 'data-testid="review-form"' not in html


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_user", 404), ("stranger_mentor", 403), ("mentor", 200), ("admin_user", 200)],
)
def test_who_reads_the_thread(request, progress, learner, who, status):
    milestone_submit(progress=progress, actor=learner)
    assert browser(request.getfixturevalue(who)).get(thread_url(progress)).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(progress):
    assert browser().get(thread_url(progress)).status_code == 302


def _scoring(score_0, decision="changes_requested", comment="Tighten it"):
    return {
        "score-0": score_0,
        "comment-0": "Edge cases",
        "score-1": "2",
        "decision": decision,
        "comment": comment,
    }


def test_the_mentor_scores_each_criterion_on_the_page(progress, learner, mentor):
    milestone_submit(progress=progress, actor=learner)
    form = browser(mentor).get(thread_url(progress)).content.decode()
    assert form.count('data-testid="criterion"') == 2
    assert "Robust" in form

    saved = browser(mentor).post(thread_url(progress), _scoring("4"))

    assert saved.status_code == 302
    review = MilestoneReview.objects.get()
    assert [(s.criterion, s.score, s.comment) for s in review.scores.all()] == [
        ("Correctness", 4, "Edge cases"),
        ("Tests", 2, ""),
    ]
    assert MilestoneProgress.objects.get(pk=progress.pk).status == "in_progress"


def test_an_out_of_scale_score_on_the_page_is_shown_next_to_the_scores(progress, learner, mentor):
    milestone_submit(progress=progress, actor=learner)
    page = browser(mentor).post(thread_url(progress), _scoring("9"))
    assert page.status_code == 400
    html = page.content.decode()
    assert 'data-field="scores"' in html
    assert "Edge cases</textarea>" in html
    assert 'value="2" required checked' in html
    assert not MilestoneReview.objects.exists()


def test_a_mentor_not_theirs_may_not_post_a_review(progress, learner, stranger_mentor):
    milestone_submit(progress=progress, actor=learner)
    assert browser(stranger_mentor).post(thread_url(progress), _scoring("3")).status_code == 403


def test_the_queue_shows_only_the_mentors_learners(
    progress, learner, mentor, stranger_mentor, program
):
    milestone_submit(progress=progress, actor=learner)
    other_cohort = journal_services.cohort_create(
        actor=stranger_mentor,
        program=program,
        name="Other",
        start_date=progress.created_at.date(),
        mentors=[stranger_mentor],
    )
    someone = UserFactory(display_name="Sid Someone")
    journal_services.cohort_add_learner(actor=stranger_mentor, cohort=other_cohort, learner=someone)
    milestone_submit(
        progress=MilestoneProgress.objects.get(learner=someone, milestone__number=1), actor=someone
    )

    queue = browser(mentor).get("/journal/review/").content.decode()

    assert queue.count('data-testid="review-item"') == 1
    assert learner.display_name in queue
    assert "Sid Someone" not in queue


def test_a_mentor_writes_a_rubric_and_edits_it_into_a_second_version(mentor):
    client = browser(mentor)
    created = client.post(
        "/mentorship/rubrics/new/",
        {
            "name": "Web rubric",
            "criterion-0-name": "Clarity",
            "criterion-0-scale": "3",
            "criterion-0-levels": "Muddled\nClear enough\nCrisp",
        },
    )
    assert created.status_code == 302
    rubric = Rubric.objects.get(name="Web rubric")

    edited = client.post(
        f"/mentorship/rubrics/{rubric.pk}/",
        {
            "name": "Web rubric",
            "criterion-0-name": "Clarity",
            "criterion-0-scale": "3",
            "criterion-0-levels": "Muddled\nClear enough\nCrisp",
            "criterion-1-name": "Tests",
            "criterion-1-scale": "2",
        },
    )
    assert edited.status_code == 302
    assert selectors.rubric_current_version(rubric=rubric).number == 2
    page = client.get(f"/mentorship/rubrics/{rubric.pk}/").content.decode()
    assert page.count('data-testid="rubric-version"') == 2
    assert "Crisp" in browser(mentor).get("/mentorship/rubrics/").content.decode()


def test_a_bad_rubric_on_the_page_is_a_field_error(mentor):
    page = browser(mentor).post(
        "/mentorship/rubrics/new/",
        {"name": "Bad", "criterion-0-name": "A", "criterion-0-scale": "40"},
    )
    assert page.status_code == 400
    assert 'data-field="criteria"' in page.content.decode()
    assert not Rubric.objects.exists()


def test_learners_read_rubrics_but_do_not_edit_them(owner, rubric):
    assert browser(owner).get("/mentorship/rubrics/").status_code == 200
    assert browser(owner).get("/mentorship/rubrics/new/").status_code == 403
    assert browser(owner).get("/mentorship/milestone-rubrics/").status_code == 403


def test_a_mentor_sets_the_rubric_of_a_milestone(mentor, rubric, program):
    milestone = program.milestones.get(number=3)
    saved = browser(mentor).post(
        "/mentorship/milestone-rubrics/", {f"milestone-{milestone.pk}": rubric.pk}
    )
    assert saved.status_code == 302
    assert MilestoneRubric.objects.get(milestone=milestone).rubric == rubric


def test_the_cohort_dashboard_shows_rubric_charts_to_its_mentors_only(
    progress, learner, mentor, stranger_mentor, cohort
):
    milestone_submit(progress=progress, actor=learner)
    milestone_review(progress=progress, reviewer=mentor, decision="approved", scores=GOOD_SCORES)
    url = f"/journal/cohorts/{cohort.pk}/"

    page = browser(mentor).get(url).content.decode()
    stranger = browser(stranger_mentor).get(url).content.decode()

    assert 'data-testid="chart-rubric-scores"' in page
    assert 'data-testid="chart-rubric-trend"' in page
    assert "chart-rubric-scores" not in stranger


def test_rubric_charts_as_json_and_csv_for_the_cohorts_mentors(
    client_for, progress, learner, mentor, stranger_mentor, cohort
):
    milestone_submit(progress=progress, actor=learner)
    milestone_review(progress=progress, reviewer=mentor, decision="approved", scores=GOOD_SCORES)
    base = f"/api/v1/analytics/cohorts/{cohort.pk}/rubrics/"

    scores = client_for(mentor).get(f"{base}rubric-scores/").json()
    trend = client_for(mentor).get(f"{base}rubric-trend/").json()
    csv = client_for(mentor).get(f"{base}rubric-scores/?format=csv").content.decode()

    assert scores["labels"] == ["Correctness", "Tests"]
    assert {d["label"]: d["data"] for d in scores["datasets"]} == {
        "Score 2": [0, 1],
        "Score 3": [1, 0],
    }
    assert trend["labels"] == ["Milestone 1"]
    assert {d["label"]: d["data"] for d in trend["datasets"]} == {
        "Correctness": [3.0],
        "Tests": [2.0],
    }
    assert csv.splitlines()[0] == "label,Score 2,Score 3"
    assert client_for(stranger_mentor).get(f"{base}rubric-scores/").status_code == 403
    assert client_for(learner).get(f"{base}rubric-scores/").status_code == 403
    assert client_for(mentor).get(f"{base}nope/").status_code == 404


def test_the_learners_milestones_page_shows_the_thread_of_each_milestone(
    progress, learner, mentor, django_assert_max_num_queries
):
    milestone_submit(progress=progress, actor=learner, note="First go")
    milestone_review(
        progress=progress,
        reviewer=mentor,
        decision="changes_requested",
        comment="Add tests",
        scores=GOOD_SCORES,
    )
    client = browser(learner)
    client.get("/journal/milestones/")

    with django_assert_max_num_queries(30) as queries:
        html = client.get("/journal/milestones/").content.decode()

    assert html.count('data-testid="milestone-thread"') == 1
    assert html.count('data-testid="score"') == 2
    assert "Add tests" in html
    print(f"\nmilestones page with a thread: {len(queries)} queries")
