"""The milestones page as tabs: a list of links to every milestone (tabs once forms.js runs), opening
on the first milestone still to do, and a save that lands back on the saved milestone's tab."""

import pytest
from django.test import Client

from nexus.journal.models import MilestoneProgress, MilestoneStatus


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_milestone_has_a_tab_link_to_its_panel(learner):
    page = logged_in(learner).get("/journal/milestones/").content.decode()
    rows = MilestoneProgress.objects.filter(learner=learner)
    assert rows.count() >= 2
    for progress in rows:
        assert f'href="#milestone-{progress.pk}" data-testid="milestone-tab"' in page
        assert f'<article id="milestone-{progress.pk}" class="tab-panel"' in page
    assert 'data-tabs data-tabs-start="0"' in page


@pytest.mark.parametrize("done", [1, 2])
def test_the_tabs_open_on_the_first_milestone_still_to_do(learner, done):
    MilestoneProgress.objects.filter(learner=learner, milestone__number__lte=done).update(
        status=MilestoneStatus.DONE
    )
    page = logged_in(learner).get("/journal/milestones/").content.decode()
    assert f'data-tabs data-tabs-start="{done}"' in page


def test_a_saved_milestone_comes_back_on_its_tab(learner):
    progress = MilestoneProgress.objects.get(learner=learner, milestone__number=2)
    response = logged_in(learner).post(
        f"/journal/milestones/{progress.pk}/", {f"{progress.pk}-status": "in_progress"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/journal/milestones/#milestone-{progress.pk}"


def test_a_refused_milestone_is_a_400_on_its_own_tab(learner):
    progress = MilestoneProgress.objects.get(learner=learner, milestone__number=1)
    response = logged_in(learner).post(
        f"/journal/milestones/{progress.pk}/", {f"{progress.pk}-status": "no-such-status"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('data-testid="milestone-tab"') == 1
    assert 'data-field="status"' in page
