"""periods.participants: the units proposed for a new period (last year's, through lineage) and
the all-or-nothing save; and the rule that a unit's submission exists from the moment it joins."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from opendti.accounts.models import User
from opendti.assessments.models import Submission
from opendti.frameworks.models import Framework, Level
from opendti.periods.models import Membership, Participation, Period, PeriodChange, RankingGroup
from opendti.periods.participants import (
    Choice,
    participants_proposal,
    participants_set,
    period_before,
)
from opendti.periods.services import period_fingerprint, period_open_next
from opendti.periods.workflow import TransitionRefused
from opendti.units.models import Lineage, Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    level = Level.objects.create(code="xa", name="Cấp xã")
    framework = Framework.objects.create(code="dti-xa", name="DTI xã", year=2025, level=level)
    kind = UnitKind.objects.create(code="ubnd-xa", name="UBND xã")
    units = {
        code: Unit.objects.create(code=code, name=name, kind=kind)
        for code, name in [
            ("a", "Xã A"), ("b", "Xã B"), ("c", "Xã C"), ("ab", "Xã AB"),
            ("d", "Xã D"), ("d2", "Xã D mới"), ("gone", "Xã đã giải thể"), ("new", "Xã mới lập"),
        ]
    }  # fmt: skip
    Unit.objects.filter(code="gone").update(valid_to=datetime.date(2020, 1, 1))
    # a and b merged into ab; d was renamed d2, itself later merged into ab too (a chain).
    for old, new, kind_ in [("a", "ab", "merge"), ("b", "ab", "merge"), ("d", "d2", "rename")]:
        Lineage.objects.create(predecessor=units[old], successor=units[new], kind=kind_)
    last = Period.objects.create(code="2025-xa", title="2025", framework=framework, year=2025)
    group = RankingGroup.objects.create(period=last, code="xa", name="Xã")
    for order, code in enumerate(["a", "b", "c", "d", "gone"]):
        Participation.objects.create(period=last, unit=units[code], group=group, order=order)
    new = Period.objects.create(code="2026-xa", title="2026", framework=framework, year=2026)
    return {"last": last, "new": new, "units": units}


def test_a_unit_joining_a_period_has_its_submission_at_once(world):
    last = world["last"]
    assert Submission.objects.filter(participation__period=last).count() == 5
    today = timezone.localdate()
    following = period_open_next(
        previous=last, code="2026-next", title="t", year=2026, starts_on=today, ends_on=today
    )
    assert Submission.objects.filter(participation__period=following).count() == 5


def test_the_period_before_is_the_latest_earlier_of_the_level(world):
    assert period_before(world["new"]) == world["last"]
    other_level = Level.objects.create(code="tinh", name="Cấp tỉnh")
    other = Framework.objects.create(code="dti-tinh", name="DTI tỉnh", year=2025, level=other_level)
    Period.objects.filter(pk=world["last"].pk).update(framework=other)
    assert period_before(Period.objects.get(code="2026-xa")) is None


def test_the_proposal_follows_lineage(world):
    proposal = participants_proposal(world["new"])
    assert proposal.source == world["last"]
    assert proposal.groups == [("xa", "Xã")]
    ticked = [
        (r.unit.code, r.group, sorted(u.code for u in r.came_from))
        for r in proposal.rows
        if r.joined
    ]
    # a and b became ab; c stays; d became d2; the dissolved unit is not proposed.
    assert ticked == [("ab", "xa", ["a", "b"]), ("c", "xa", ["c"]), ("d2", "xa", ["d"])]
    others = [r.unit.code for r in proposal.rows if not r.joined]
    assert others == ["new"]  # units that still exist, of the same kind, not ticked


def test_the_save_is_all_or_nothing(world):
    period = world["new"]
    actor = User.objects.create_user(username="dieuphoi")
    with pytest.raises(ValidationError) as refused:
        participants_set(
            period=period,
            actor=actor,
            seen=period_fingerprint(period),
            groups=[("xa", "Xã"), ("xa", "Trùng"), ("", "Không mã")],
            choices=[Choice("ab", "xa"), Choice("zz", "xa"), Choice("c", "phuong")],
        )
    messages = refused.value.messages
    assert "Nhóm xếp hạng dòng 2: mã “xa” bị trùng." in messages
    assert "Nhóm xếp hạng dòng 3: cần cả mã và tên (ví dụ “xa: Xã”)." in messages
    assert "Không có đơn vị mã “zz”." in messages
    assert "Đơn vị Xã C: nhóm xếp hạng “phuong” không có trong danh sách nhóm." in messages
    assert not period.participations.exists() and not period.groups.exists()
    assert not PeriodChange.objects.exists()


def test_a_unit_with_people_is_not_removed(world):
    period = world["new"]
    actor = User.objects.create_user(username="dieuphoi")
    participants_set(
        period=period, actor=actor, seen=period_fingerprint(period),
        groups=[("xa", "Xã")], choices=[Choice("ab", "xa"), Choice("c", "xa", ranked=False)],
    )  # fmt: skip
    assert list(period.participations.order_by("order").values_list("unit__code", "ranked")) == [
        ("ab", True),
        ("c", False),
    ]
    Membership.objects.create(
        participation=period.participations.get(unit__code="c"),
        user=User.objects.create_user(username="daumoi"),
        role=Membership.Role.FOCAL_POINT,
    )
    with pytest.raises(ValidationError, match="Không bỏ được đơn vị Xã C"):
        participants_set(
            period=period, actor=actor, seen=period_fingerprint(period),
            groups=[("xa", "Xã")], choices=[Choice("ab", "xa")],
        )  # fmt: skip
    assert period.participations.count() == 2


def test_a_stale_form_and_an_opened_period_are_refused(world):
    period = world["new"]
    actor = User.objects.create_user(username="dieuphoi")
    seen = period_fingerprint(period)
    participants_set(period=period, actor=actor, seen=seen, groups=[], choices=[Choice("c", "")])
    with pytest.raises(TransitionRefused, match="vừa được người khác thay đổi"):
        participants_set(
            period=period, actor=actor, seen=seen, groups=[], choices=[Choice("c", "")]
        )
    today = timezone.localdate()
    period.phases.create(kind="self_assessment", starts_on=today, ends_on=today)
    with pytest.raises(TransitionRefused, match="đã bắt đầu tự đánh giá"):
        participants_set(
            period=period, actor=actor, seen=period_fingerprint(period), groups=[],
            choices=[Choice("ab", "")],
        )  # fmt: skip
