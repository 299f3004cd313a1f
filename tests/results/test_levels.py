"""The component indicators by level (results.levels): counts checked against numbers worked
out by hand from the demo period 2025-communes (each indicator's score over its applicable
maximum; 4.3 has a maximum of 0 and 6.4 does not apply, so neither is counted)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from opendti.periods.models import Period
from opendti.results.demo import demo_load
from opendti.results.levels import (
    FAIR,
    GOOD,
    LOW,
    MAXIMUM,
    UNCLASSIFIED,
    ZERO,
    Thresholds,
    classify,
    level_of,
    period_classification,
    thresholds_set,
)
from opendti.results.models import TargetChange
from tests.results.fresh import period_score

pytestmark = pytest.mark.django_db

BOUNDS = Thresholds(good=Decimal(75), fair=Decimal(40))


@pytest.fixture
def scores():
    demo_load()
    return period_score(period=Period.objects.get(code="2025-communes"))


def test_counts_per_unit_and_per_group_match_the_hand_count(scores) -> None:
    assessment, result = scores
    found = classify(assessment, result, BOUNDS)
    # xa-hoa-binh: tối đa 2.1 3.2 4.1 6.2; khá 5.1 (exactly 75 %) 5.2 6.3; trung bình 2.2
    # (71,42 %) 3.1; thấp 1.2 4.2 7.1 7.2; chưa có điểm 1.1 1.3 6.1 8.1.
    assert found.units["xa-hoa-binh"].counts == {
        MAXIMUM: 4,
        GOOD: 3,
        FAIR: 2,
        LOW: 4,
        ZERO: 4,
        UNCLASSIFIED: 0,
    }
    # phuong-quang-thanh: 5.2 is exactly 40 % (trung bình, the bound is inclusive).
    assert found.units["phuong-quang-thanh"].counts == {
        MAXIMUM: 5,
        GOOD: 0,
        FAIR: 8,
        LOW: 5,
        ZERO: 0,
        UNCLASSIFIED: 0,
    }
    # The group phường: nghĩa đức 5/6/1/3/3, nghĩa tân 3/1/5/7/2, quảng thành 5/0/8/5/0.
    assert found.groups["phuong"].counts == {
        MAXIMUM: 13,
        GOOD: 7,
        FAIR: 14,
        LOW: 15,
        ZERO: 5,
        UNCLASSIFIED: 0,
    }
    assert found.groups["phuong"].total == 54
    assert found.overall.total == sum(c.total for c in found.groups.values())


def test_without_bounds_only_the_maximum_and_zero_are_classified(scores) -> None:
    assessment, result = scores
    found = classify(assessment, result, None)
    assert found.units["xa-hoa-binh"].counts == {
        MAXIMUM: 4,
        GOOD: 0,
        FAIR: 0,
        LOW: 0,
        ZERO: 4,
        UNCLASSIFIED: 9,
    }
    assert [level for level, _label in found.columns()] == [MAXIMUM, UNCLASSIFIED, ZERO]


def test_the_share_is_compared_exactly() -> None:
    # 2/3 of the maximum is 66,666…%: below a bound of 66,67 and above 66,66, never rounded.
    assert level_of(Decimal(2), Decimal(3), Thresholds(Decimal("66.67"), Decimal(10))) == FAIR
    assert level_of(Decimal(2), Decimal(3), Thresholds(Decimal("66.66"), Decimal(10))) == GOOD


def test_bounds_are_a_period_setting_kept_with_history(scores) -> None:
    period = Period.objects.get(code="2025-communes")
    assert period_classification(period, *scores).thresholds is None  # no invented default
    for good, fair in ((Decimal(40), Decimal(75)), (Decimal(75), None), (Decimal(100), Decimal(1))):
        with pytest.raises(ValidationError):
            thresholds_set(period=period, actor=None, good=good, fair=fair, reason="thử")
    with pytest.raises(ValidationError):
        thresholds_set(period=period, actor=None, good=BOUNDS.good, fair=BOUNDS.fair, reason="")
    assert thresholds_set(
        period=period, actor=None, good=BOUNDS.good, fair=BOUNDS.fair, reason="Theo kế hoạch"
    )
    assert not thresholds_set(
        period=period, actor=None, good=BOUNDS.good, fair=BOUNDS.fair, reason="Lại"
    )
    assert period_classification(period, *scores).thresholds == BOUNDS
    assert thresholds_set(period=period, actor=None, good=None, fair=None, reason="Bỏ ngưỡng")
    kept = [(c.detail["before"], c.detail["after"]) for c in TargetChange.objects.order_by("pk")]
    assert kept == [(None, {"good": "75", "fair": "40"}), ({"good": "75", "fair": "40"}, None)]
