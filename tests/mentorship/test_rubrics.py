import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nexus.mentorship import selectors
from nexus.mentorship.services.rubrics import rubric_create, rubric_update, scores_clean

pytestmark = pytest.mark.django_db

CRITERIA = [
    {"name": "Correctness", "scale": 4, "levels": ["Broken", "Partial", "Works", "Robust"]},
    {"name": "Tests", "scale": 3},
]


def _rubric(mentor):
    return rubric_create(actor=mentor, name="API project", criteria=CRITERIA)


def test_a_mentor_writes_a_rubric_whose_first_version_holds_the_criteria(mentor):
    rubric = _rubric(mentor)

    version = selectors.rubric_current_version(rubric=rubric)
    assert version.number == 1
    assert version.criteria[0]["levels"] == ["Broken", "Partial", "Works", "Robust"]
    assert version.criteria[1]["levels"] == ["", "", ""]


def test_a_learner_may_not_write_rubrics(owner):
    with pytest.raises(PermissionDenied):
        rubric_create(actor=owner, name="Mine", criteria=CRITERIA)


@pytest.mark.parametrize(
    "criteria",
    [
        [],
        [{"name": "", "scale": 4}],
        [{"name": "A", "scale": 1}],
        [{"name": "A", "scale": 11}],
        [{"name": "A", "scale": "four"}],
        [{"name": "A", "scale": 2, "levels": ["x", "y", "z"]}],
        [{"name": "A", "scale": 2}, {"name": "a", "scale": 3}],
        ["not an object"],
    ],
)
def test_bad_criteria_are_field_errors_and_write_nothing(mentor, criteria):
    with pytest.raises(ValidationError) as refused:
        rubric_create(actor=mentor, name="Bad", criteria=criteria)

    assert "criteria" in refused.value.message_dict
    assert not selectors.rubric_list().exists()


def test_changing_criteria_makes_a_new_version_and_keeps_the_old_one(mentor):
    rubric = _rubric(mentor)
    first = selectors.rubric_current_version(rubric=rubric)

    renamed = rubric_update(actor=mentor, rubric=rubric, name="API project v2")
    changed = rubric_update(
        actor=mentor, rubric=rubric, criteria=[*CRITERIA, {"name": "Docs", "scale": 2}]
    )

    assert renamed.pk == first.pk
    assert changed.number == 2
    first.refresh_from_db()
    assert len(first.criteria) == 2
    assert selectors.rubric_list().get().current_number == 2


def test_scores_come_back_in_the_rubrics_order_with_comments(mentor):
    version = selectors.rubric_current_version(rubric=_rubric(mentor))

    scores = scores_clean(
        version=version,
        scores=[
            {"criterion": "tests", "score": "2"},
            {"criterion": "Correctness", "score": 4, "comment": " solid "},
        ],
    )

    assert [(s["criterion"], s["position"], s["score"], s["comment"]) for s in scores] == [
        ("Correctness", 0, 4, "solid"),
        ("Tests", 1, 2, ""),
    ]


@pytest.mark.parametrize(
    "scores",
    [
        [{"criterion": "Correctness", "score": 5}, {"criterion": "Tests", "score": 1}],
        [{"criterion": "Correctness", "score": 0}, {"criterion": "Tests", "score": 1}],
        [{"criterion": "Correctness", "score": True}, {"criterion": "Tests", "score": 1}],
        [{"criterion": "Correctness", "score": 2}],
        [{"criterion": "Style", "score": 2}],
        [{"criterion": "Tests", "score": 1}, {"criterion": "tests", "score": 1}],
        ["4"],
    ],
)
def test_a_score_outside_the_scale_or_a_missing_criterion_is_a_field_error(mentor, scores):
    version = selectors.rubric_current_version(rubric=_rubric(mentor))

    with pytest.raises(ValidationError) as refused:
        scores_clean(version=version, scores=scores)

    assert "scores" in refused.value.message_dict
