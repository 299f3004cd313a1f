"""The daily reminder job: what is due soon reaches the right people, once a day."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from opendti.appraisal.reminders import daily_reminders
from opendti.appraisal.services import decide
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
