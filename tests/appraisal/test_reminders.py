"""The daily reminder job: what is due soon reaches the right people, once a day."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from opendti.appraisal.reminders import daily_reminders
from opendti.appraisal.services import (
    accept_rest,
    decide,
    reply_open,
    round_current,
    round_sign_off,
)
from opendti.appraisal.tasks import daily_reminders as daily_task
from opendti.notifications.models import Notification
from opendti.periods.models import Period, Phase

from .conftest import OPEN

pytestmark = pytest.mark.django_db


def kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, kind="deadline").values_list("title", flat=True)
    )


def test_self_assessment_deadline_reminds_units_that_have_not_submitted(demo):
    today = timezone.localdate()
    Phase.objects.filter(period__code=OPEN, kind=Phase.Kind.SELF_ASSESSMENT).update(
        ends_on=today + datetime.timedelta(days=2)
    )
    assert daily_reminders(today) == 4  # two units, a focal point and a leader each
    assert any("Sắp hết hạn tự đánh giá" in t for t in kinds(demo.daumoi))
    assert kinds(demo.dieuphoi) == []
    assert daily_reminders(today) == 0  # the same day again: nothing twice
    assert daily_reminders(today + datetime.timedelta(days=1)) == 4  # the next day, again


def test_far_deadline_reminds_nobody(demo):
    Phase.objects.filter(period__code=OPEN, kind=Phase.Kind.SELF_ASSESSMENT).update(
        ends_on=timezone.localdate() + datetime.timedelta(days=20)
    )
    assert daily_reminders() == 0


def test_request_due_soon_and_pending_sign_off(demo, appraisal):
    today = timezone.localdate()
    decide(
        submission=appraisal.ours,
        node=appraisal.node("2.2"),
        reviewer=demo.thamdinh,
        kind="request",
        reason="Bổ sung",
        due_on=today + datetime.timedelta(days=1),
    )
    sent = daily_reminders(today)
    assert any("hạn giải trình chỉ số 2.2" in t for t in kinds(demo.daumoi))
    assert any("hạn giải trình" in t for t in kinds(demo.lanhdao))
    assert kinds(demo.daumoi2) == []  # the other unit was asked nothing
    # Both reviewers have not signed off round 1.
    assert any("Chưa xác nhận lần thẩm định 1" in t for t in kinds(demo.thamdinh))
    assert any("Chưa xác nhận" in t for t in kinds(appraisal.second))
    assert sent == 4
    assert Period.objects.get(code=OPEN).status == "appraisal"


def test_command_and_celery_task_run_the_same_job(demo, capsys):
    Phase.objects.filter(period__code=OPEN, kind=Phase.Kind.SELF_ASSESSMENT).update(
        ends_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    call_command("send_reminders")
    assert "Đã gửi 4 thông báo" in capsys.readouterr().out
    assert daily_task.delay().get() == 0  # eager in the embedded default; already sent today


# --- every phase of the calendar ---------------------------------------------------------------


def phase_ending_in(period, kind: str, days: int, n: int | None = None) -> Phase:
    today = timezone.localdate()
    return Phase.objects.create(
        period=period,
        kind=kind,
        round_number=n,
        starts_on=today - datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=days),
    )


@pytest.mark.parametrize(
    ("days", "title"),
    [
        (2, "Sắp hết hạn thẩm định lần 1"),
        (-1, "Quá hạn thẩm định lần 1"),
        (20, None),  # far: no reminder
    ],
)
def test_the_rounds_window_reminds_the_reviewers_not_signed_off(demo, appraisal, days, title):
    current = round_current(appraisal.period)
    accept_rest(appraisal_round=current, reviewer=appraisal.second)  # decided, not signed off
    phase_ending_in(appraisal.period, Phase.Kind.APPRAISAL, days, n=1)
    daily_reminders()
    for reviewer in (demo.thamdinh, appraisal.second):
        got = kinds(reviewer)
        assert any(title in t for t in got) if title else got == [], got
    assert kinds(demo.daumoi) == [] and kinds(demo.dieuphoi) == []
    if title:  # a reviewer who signed off (late is allowed) hears nothing the next day
        round_sign_off(appraisal_round=current, reviewer=appraisal.second)
        Notification.objects.all().delete()
        daily_reminders(timezone.localdate() + datetime.timedelta(days=1))
        assert kinds(appraisal.second) == [] and kinds(demo.thamdinh) != []


def test_the_reply_window_reminds_every_units_people(demo, appraisal):
    current = round_current(appraisal.period)
    for reviewer in (demo.thamdinh, appraisal.second):
        accept_rest(appraisal_round=current, reviewer=reviewer)
        round_sign_off(appraisal_round=current, reviewer=reviewer)
    reply_open(period=appraisal.period, actor=demo.dieuphoi)
    Notification.objects.all().delete()
    phase = phase_ending_in(appraisal.period, Phase.Kind.REPLY, 1)
    assert daily_reminders() == 4  # focal point and leader of both units
    body = Notification.objects.filter(user=demo.lanhdao, kind="deadline").get().body
    assert phase.ends_on.strftime("%d/%m/%Y") in body
    assert kinds(demo.thamdinh) == []


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (Phase.Kind.COORDINATOR_REVIEW, "dieuphoi"),
        (Phase.Kind.APPROVAL, "pheduyet"),
        (Phase.Kind.PUBLICATION, "dieuphoi"),
    ],
)
def test_the_provinces_own_steps_remind_who_takes_them(demo, appraisal, kind, role):
    phase_ending_in(appraisal.period, kind, 3)
    Notification.objects.all().delete()
    daily_reminders()
    person = getattr(demo, role)
    assert any("Sắp đến hạn" in t for t in kinds(person)), kind
    others = {"dieuphoi", "pheduyet"} - {role}
    assert all(not any("Sắp đến hạn" in t for t in kinds(getattr(demo, o))) for o in others)
    assert daily_reminders() == 0  # the same day again: nothing twice


def test_a_step_already_taken_or_a_quarter_reminds_nobody(demo, appraisal):
    phase_ending_in(appraisal.period, Phase.Kind.SELF_ASSESSMENT, 2)  # the period is past it
    Notification.objects.all().delete()
    daily_reminders()
    assert not Notification.objects.filter(title__startswith="Sắp hết hạn tự đánh giá").exists()
    # A quarterly period is published by the coordinator: nobody approves it.
    Period.objects.filter(pk=appraisal.period.pk).update(
        cadence=Period.Cadence.QUARTERLY, quarter=1
    )
    phase_ending_in(appraisal.period, Phase.Kind.APPROVAL, 2)
    daily_reminders()
    assert kinds(demo.pheduyet) == []
