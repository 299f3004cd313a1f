"""Once approved, results are read from the snapshot only: editing the framework, a value, a band
or a settled score afterwards changes the live computation (the edit is real) and nothing that
was approved — the public ranking page, the coordinator's page and the API show the same numbers."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from opendti.assessments.models import AppraisedScore, InputValue, Submission
from opendti.frameworks.models import Band, Node
from opendti.periods.models import Period
from opendti.publication.models import ImmutableError, Publication, Snapshot
from tests.login import login
from tests.results.fresh import period_score

from .conftest import PERIOD, UNIT, api_results, forget_cached_results, ranking, take_to

pytestmark = pytest.mark.django_db


def live(period: Period) -> dict[str, tuple[Decimal, str | None]]:
    _assessment, result = period_score(period=period)
    return {u.code: (u.total, u.band) for u in result.units}


def shown(pages: dict[str, tuple[str, Decimal, str]]) -> dict[str, tuple[Decimal, str | None]]:
    return {unit: (total, band or None) for unit, (_rank, total, band) in pages.items()}


def edit_framework(period: Period) -> None:
    node = Node.objects.get(framework=period.framework, code="1.2")
    params = json.loads(node.params)
    params["points_each"] = 1  # 5 points a session before
    Node.objects.filter(pk=node.pk).update(params=json.dumps(params))


def edit_value(period: Period) -> None:
    changed = InputValue.objects.filter(
        submission__participation__period=period,
        submission__participation__unit__code=UNIT,
        node__code="1.2",
    ).update(value="6")  # one session before: +25 points
    assert changed == 1


def edit_band(period: Period) -> None:
    changed = Band.objects.filter(
        scheme__framework=period.framework, scheme__scope="total", label="Nâng cao"
    ).update(lower=Decimal(26))  # 50% before (Hình thành starts at 25%)
    assert changed == 1


def edit_appraised(period: Period) -> None:
    assert AppraisedScore.objects.filter(node__code="2.1").update(score=0) == 1


EDITS: dict[str, Callable[[Period], None]] = {
    "framework": edit_framework,
    "value": edit_value,
    "band": edit_band,
    "appraised": edit_appraised,
}


@pytest.fixture
def approved(people) -> Period:
    """2025 communes with one settled score (2.1 of xa-hoa-binh: 25 of 50), approved, published."""
    submission = Submission.objects.get(
        participation__period__code=PERIOD, participation__unit__code=UNIT
    )
    node = Node.objects.get(framework=submission.participation.period.framework, code="2.1")
    AppraisedScore.objects.create(submission=submission, node=node, score=Decimal(25))
    return take_to(PERIOD, people, Period.Status.PUBLISHED)


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_after_approval_changes_nothing_published(people, approved, edit) -> None:
    public, coordinator = Client(), Client()
    login(coordinator, people.dieuphoi)
    before_live = live(approved)
    before_page = ranking(public, PERIOD)
    before_api = api_results(public, PERIOD)
    assert shown(before_page) == before_live  # the snapshot is what the tables said at approval
    assert ranking(coordinator, PERIOD) == before_page
    assert before_api[UNIT][1] == f"{before_live[UNIT][0]}"

    EDITS[edit](approved)
    forget_cached_results()  # as in a new process: recomputed from the snapshot's rows

    assert live(approved) != before_live, "the edit changed nothing: the test proves nothing"
    assert ranking(public, PERIOD) == before_page
    assert ranking(coordinator, PERIOD) == before_page
    assert api_results(public, PERIOD) == before_api
    coordinator_api = Client()
    login(coordinator_api, people.dieuphoi)
    assert api_results(coordinator_api, PERIOD) == before_api


def test_the_settled_score_is_in_the_snapshot(people, approved) -> None:
    rows = json.loads(Snapshot.objects.get(period=approved).rows)
    assert {"unit": UNIT, "indicator": "2.1", "score": "25"} in rows["appraised"]


def test_a_snapshot_and_a_publication_are_never_changed_or_deleted(people, approved) -> None:
    snapshot = Snapshot.objects.get(period=approved)
    snapshot.decision_number = "99/QĐ-UBND"
    with pytest.raises(ImmutableError):
        snapshot.save()
    with pytest.raises(ImmutableError):
        snapshot.delete()
    publication = Publication.objects.get(snapshot__period=approved)
    with pytest.raises(ImmutableError):
        publication.save()
    with pytest.raises(ImmutableError):
        publication.delete()
    assert Snapshot.objects.get(period=approved).decision_number == "15/QĐ-UBND"
