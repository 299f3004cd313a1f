"""The daily reminder job: deadlines approaching. Run by Celery beat in production
(`tasks.daily_reminders`) and by `opendti send-reminders` in the embedded default. Each reminder
carries a key with the day, so running the job twice a day sends nothing twice."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.accounts.models import User
from opendti.assessments.models import Submission
from opendti.notifications.services import notify
from opendti.periods.models import Membership, Participation, Period, Phase

from .models import Decision
from .services import pending_sign_offs, round_current

UNIT_PEOPLE = [Membership.Role.FOCAL_POINT, Membership.Role.UNIT_LEADER]


def _soon(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=settings.OPENDTI_REMINDER_DAYS)


def daily_reminders(today: datetime.date | None = None) -> int:
    """Send today's reminders; returns how many notifications were created."""
    today = today or timezone.localdate()
    sent = 0
    for period in Period.objects.filter(status=Period.Status.SELF_ASSESSMENT):
        phase = period.phase(Phase.Kind.SELF_ASSESSMENT)
        if phase is None or not today <= phase.ends_on <= _soon(today):
            continue
        waiting = Participation.objects.filter(period=period).exclude(
            submission__status=Submission.Status.SUBMITTED
        )
        people = User.objects.filter(
            memberships__participation__in=waiting, memberships__role__in=UNIT_PEOPLE
        )
        sent += notify(
            list(people.distinct()),
            kind="deadline",
            title=_("Sắp hết hạn tự đánh giá kỳ %(period)s") % {"period": period.title},
            body=_("Hạn gửi phiếu tự đánh giá: %(date)s.")
            % {"date": phase.ends_on.strftime("%d/%m/%Y")},
            url="/",
            dedupe_key=f"self:{period.pk}:{today.isoformat()}",
        )
    for decision in Decision.objects.filter(
        state=Decision.State.OPEN, due_on__gte=today, due_on__lte=_soon(today)
    ).select_related(
        "submission__participation__period", "submission__participation__unit", "node"
    ):
        participation = decision.submission.participation
        people = User.objects.filter(
            memberships__participation=participation, memberships__role__in=UNIT_PEOPLE
        ).distinct()
        sent += notify(
            list(people),
            kind="deadline",
            title=_("Sắp hết hạn giải trình chỉ số %(code)s") % {"code": decision.node.code},
            body=_("Hạn giải trình: %(date)s.")
            % {"date": decision.due_on.strftime("%d/%m/%Y") if decision.due_on else ""},
            url=f"/ky/{participation.period.code}/don-vi/{participation.unit.code}/",
            dedupe_key=f"request:{decision.pk}:{today.isoformat()}",
        )
    for period in Period.objects.filter(status=Period.Status.APPRAISAL):
        current = round_current(period)
        if current is None or not current.is_open:
            continue
        sent += notify(
            pending_sign_offs(current),
            kind="deadline",
            title=_("Chưa xác nhận lần thẩm định %(n)d kỳ %(period)s")
            % {"n": current.number, "period": period.title},
            body=_("Đề nghị hoàn thành và xác nhận phần thẩm định của mình."),
            url=f"/ky/{period.code}/tham-dinh/",
            dedupe_key=f"round:{current.pk}:{today.isoformat()}",
        )
    return sent
