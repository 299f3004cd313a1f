"""Targets and the progress against them (results.targets): points reached or not, ranks with
ties, group targets and a unit's own target replacing its group's; every change kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from opendti.accounts.models import User
from opendti.periods.models import Period
from opendti.results.demo import demo_load
from opendti.results.models import Target, TargetChange
from opendti.results.targets import period_progress, target_remove, target_set
from tests.results.fresh import period_score

pytestmark = pytest.mark.django_db

PERIOD = "2025-communes"


@pytest.fixture
def period() -> Period:
    demo_load()
    return Period.objects.select_related("framework").get(code=PERIOD)


def _set(period: Period, **kwargs) -> Target:
    actor = User.objects.get(username="dieuphoi")
    fields = {"node": "", "reason": "Nghị quyết của Ban Chỉ đạo"} | kwargs
    return target_set(period=period, actor=actor, **fields)


def test_points_reached_and_not_with_the_points_short(period) -> None:
    assessment, result = period_score(period=period)
    unit = result.unit("xa-hoa-binh")
    _set(period, scope="unit", subject=unit.code, measure="points", value=unit.total)
    above = unit.nodes["1"] + Decimal("1.25")
    _set(period, scope="unit", subject=unit.code, node="1", measure="points", value=above)
    lines = {line.node: line for line in period_progress(period, assessment, result).lines}
    assert lines[""].reached is True and lines[""].short == 0  # exactly the target: reached
    assert lines[""].actual == unit.total
    assert lines["1"].reached is False
    assert lines["1"].short == Decimal("1.25")


def test_rank_targets_count_ties_as_the_engine_ranks(period) -> None:
    assessment, result = period_score(period=period)
    group = [u for u in result.units if u.group == "xa" and u.group_rank is not None]
    worst = max(group, key=lambda u: u.group_rank)
    _set(period, scope="unit", subject=worst.code, measure="rank", value=Decimal(1))
    line = period_progress(period, assessment, result).for_unit(worst.code)[0]
    assert line.actual == worst.group_rank
    assert line.reached is (worst.group_rank == 1)
    assert line.short == worst.group_rank - 1
    # Two units tied share the better place: a target of that place is reached by both.
    from dataclasses import replace

    first, second = sorted(group, key=lambda u: u.group_rank)[:2]
    tied = tuple(
        replace(u, total=first.total, group_rank=first.group_rank) if u.code == second.code else u
        for u in result.units
    )
    tied_result = replace(result, units=tied)
    _set(period, scope="unit", subject=second.code, measure="rank", value=first.group_rank)
    lines = period_progress(period, assessment, tied_result).for_unit(second.code)
    assert [line.reached for line in lines] == [True]


def test_a_main_index_rank_is_within_the_group_by_share(period) -> None:
    assessment, result = period_score(period=period)
    scores = sorted(
        (u for u in result.units if u.group == "xa" and u.ranked),
        key=lambda u: u.nodes["2"] / u.node_max["2"],
        reverse=True,
    )
    last = scores[-1]
    better = sum(
        1 for u in scores if u.nodes["2"] / u.node_max["2"] > last.nodes["2"] / last.node_max["2"]
    )
    _set(period, scope="unit", subject=last.code, node="2", measure="rank", value=Decimal(1))
    line = period_progress(period, assessment, result).for_unit(last.code)[0]
    assert line.actual == better + 1


def test_a_group_target_applies_to_each_unit_and_counts_them(period) -> None:
    assessment, result = period_score(period=period)
    members = [u for u in result.units if u.group == "phuong"]
    median = sorted(u.total for u in members)[len(members) // 2]
    _set(period, scope="group", subject="phuong", measure="points", value=median)
    progress = period_progress(period, assessment, result)
    (summary,) = progress.groups
    assert summary.units == len(members)
    assert summary.reached == sum(1 for u in members if u.total >= median)
    assert {line.unit for line in progress.lines} == {u.code for u in members}
    # A unit's own target replaces its group's on the same index and measure.
    own = members[0]
    _set(period, scope="unit", subject=own.code, measure="points", value=Decimal(0))
    progress = period_progress(period, assessment, result)
    mine = progress.for_unit(own.code)
    assert [(line.scope, line.value) for line in mine] == [("unit", Decimal(0))]
    assert progress.groups[0].units == len(members)  # the group still counts every member


def test_every_change_is_kept_with_who_and_why_and_bad_targets_are_refused(period) -> None:
    target = _set(period, scope="unit", subject="xa-hoa-binh", measure="points", value=Decimal(300))
    _set(period, scope="unit", subject="xa-hoa-binh", measure="points", value=Decimal(320))
    target.refresh_from_db()
    assert target.value == Decimal(320)
    target_remove(target=target, actor=None, reason="Bỏ theo kết luận hội nghị")
    changes = list(TargetChange.objects.filter(period=period).order_by("pk"))
    assert [(c.kind, c.detail["before"], c.detail["after"]) for c in changes] == [
        ("set", None, "300"),
        ("set", "300", "320"),
        ("removed", "320", None),
    ]
    assert changes[0].actor.username == "dieuphoi"
    assert changes[0].reason == "Nghị quyết của Ban Chỉ đạo"
    refused = [
        {"scope": "unit", "subject": "khong-co", "measure": "points", "value": Decimal(1)},
        {"scope": "group", "subject": "khong-co", "measure": "points", "value": Decimal(1)},
        {"scope": "unit", "subject": "xa-hoa-binh", "measure": "rank", "value": Decimal("1.5")},
        {"scope": "unit", "subject": "xa-hoa-binh", "measure": "rank", "value": Decimal(0)},
        {"scope": "unit", "subject": "xa-hoa-binh", "node": "99", "measure": "rank", "value": 1},
        {
            "scope": "unit",
            "subject": "xa-hoa-binh",
            "node": "1",
            "measure": "points",
            "value": Decimal(100000),
        },
        {"scope": "unit", "subject": "xa-hoa-binh", "measure": "points", "value": 1, "reason": " "},
    ]
    for fields in refused:
        with pytest.raises(ValidationError):
            _set(period, **{**fields, "value": Decimal(fields["value"])})
    assert not Target.objects.filter(period=period).exists()
    assert TargetChange.objects.filter(period=period).count() == 3


def test_targets_are_locked_once_published(period) -> None:
    Period.objects.filter(pk=period.pk).update(status=Period.Status.PUBLISHED)
    period.refresh_from_db()
    with pytest.raises(ValidationError, match="đã công bố"):
        _set(period, scope="unit", subject="xa-hoa-binh", measure="points", value=Decimal(1))
