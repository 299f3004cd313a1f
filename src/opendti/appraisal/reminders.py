"""The daily reminder job: the calendar's deadlines, to the people concerned. Run by Celery beat in
production (`tasks.daily_reminders`) and by `opendti send-reminders` in the embedded default.
Each reminder carries a key with the day, so running the job twice a day sends nothing twice.

Who hears of what (a deadline "soon" is within OPENDTI_REMINDER_DAYS days, today included):
- self-assessment ending soon: the focal points and leaders of units that have not submitted;
- a request's explanation due soon: the focal point and leader of the unit asked;
- the open round: reviewers who have not signed off, when its appraisal window ends soon or has
  passed (late), or every day while it is open when the calendar gives the round no dates;
- the reply window ending soon: the focal points and leaders of every unit;
- the coordinator's review and the publication ending soon and not done: the coordinators; the
  approval: the approvers (annual periods: a quarterly one has no approval).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.accounts.models import User
from opendti.accounts.roles import APPROVER, COORDINATOR
from opendti.assessments.models import Submission
from opendti.notifications.services import notify
from opendti.periods.calendar import DONE_AT, date_text, phase_label, status_reached
from opendti.periods.models import Membership, Participation, Period, Phase

from .models import Decision
from .services import pending_sign_offs, round_current

UNIT_PEOPLE = [Membership.Role.FOCAL_POINT, Membership.Role.UNIT_LEADER]
# The province's own steps, and who is reminded of them.
PROVINCE_STEPS: dict[str, str] = {
    Phase.Kind.COORDINATOR_REVIEW: COORDINATOR,
    Phase.Kind.APPROVAL: APPROVER,
    Phase.Kind.PUBLICATION: COORDINATOR,
}


def _soon(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=settings.OPENDTI_REMINDER_DAYS)


def _due_soon(phase: Phase | None, today: datetime.date) -> bool:
    return phase is not None and today <= phase.ends_on <= _soon(today)


def daily_reminders(today: datetime.date | None = None) -> int:
    """Send today's reminders; returns how many notifications were created."""
    today = today or timezone.localdate()
    return (
        _self_assessment(today)
        + _requests(today)
        + _rounds(today)
        + _reply(today)
        + _province_steps(today)
    )


def _self_assessment(today: datetime.date) -> int:
    sent = 0
    for period in Period.objects.filter(status=Period.Status.SELF_ASSESSMENT):
        phase = period.phase(Phase.Kind.SELF_ASSESSMENT)
        if phase is None or not _due_soon(phase, today):
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
            body=_("Hạn gửi phiếu tự đánh giá: %(date)s.") % {"date": date_text(phase.ends_on)},
            url="/",
            dedupe_key=f"self:{period.pk}:{today.isoformat()}",
        )
    return sent


def _requests(today: datetime.date) -> int:
    sent = 0
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
            % {"date": date_text(decision.due_on) if decision.due_on else ""},
            url=f"/ky/{participation.period.code}/don-vi/{participation.unit.code}/",
            dedupe_key=f"request:{decision.pk}:{today.isoformat()}",
        )
    return sent


def _rounds(today: datetime.date) -> int:
    sent = 0
    for period in Period.objects.filter(status=Period.Status.APPRAISAL):
        current = round_current(period)
        if current is None or not current.is_open:
            continue
        phase = period.phase(Phase.Kind.APPRAISAL, current.number)
        names = {"n": current.number, "period": period.title}
        if phase is None:
            title = _("Chưa xác nhận lần thẩm định %(n)d kỳ %(period)s") % names
            body = _("Đề nghị hoàn thành và xác nhận phần thẩm định của mình.")
        elif phase.ends_on < today:
            title = _("Quá hạn thẩm định lần %(n)d kỳ %(period)s") % names
            body = _(
                "Thời gian thẩm định lần %(n)d đã hết ngày %(date)s; đề nghị hoàn thành và "
                "xác nhận phần thẩm định của mình."
            ) % {"n": current.number, "date": date_text(phase.ends_on)}
        elif _due_soon(phase, today):
            title = _("Sắp hết hạn thẩm định lần %(n)d kỳ %(period)s") % names
            body = _("Hạn thẩm định và xác nhận lần %(n)d: %(date)s.") % {
                "n": current.number,
                "date": date_text(phase.ends_on),
            }
        else:
            continue
        sent += notify(
            pending_sign_offs(current),
            kind="deadline",
            title=title,
            body=body,
            url=f"/ky/{period.code}/tham-dinh/",
            dedupe_key=f"round:{current.pk}:{today.isoformat()}",
        )
    return sent


def _reply(today: datetime.date) -> int:
    sent = 0
    for period in Period.objects.filter(status=Period.Status.REPLY):
        phase = period.phase(Phase.Kind.REPLY)
        if not _due_soon(phase, today):
            continue
        assert phase is not None
        people = User.objects.filter(
            memberships__participation__period=period, memberships__role__in=UNIT_PEOPLE
        ).distinct()
        sent += notify(
            list(people),
            kind="deadline",
            title=_("Sắp hết hạn phản hồi kết quả dự kiến kỳ %(period)s")
            % {"period": period.title},
            body=_("Hạn gửi ý kiến phản hồi: %(date)s.") % {"date": date_text(phase.ends_on)},
            url=f"/ky/{period.code}/",
            dedupe_key=f"reply:{period.pk}:{today.isoformat()}",
        )
    return sent


def _province_steps(today: datetime.date) -> int:
    sent = 0
    soon = Phase.objects.filter(
        kind__in=list(PROVINCE_STEPS), ends_on__gte=today, ends_on__lte=_soon(today)
    ).select_related("period")
    for phase in soon.exclude(period__status=Period.Status.PUBLISHED):
        period = phase.period
        if phase.kind == Phase.Kind.APPROVAL and period.is_quarterly:
            continue  # the coordinator publishes a quarter: nobody approves it
        if status_reached(period, DONE_AT[phase.kind]):
            continue
        people = User.objects.filter(
            groups__name=PROVINCE_STEPS[phase.kind], is_active=True
        ).distinct()
        sent += notify(
            list(people),
            kind="deadline",
            title=_("Sắp đến hạn %(phase)s kỳ %(period)s")
            % {"phase": phase_label(phase.kind, phase.round_number), "period": period.title},
            body=_("Hạn: %(date)s.") % {"date": date_text(phase.ends_on)},
            url=f"/ky/{period.code}/lich/",
            dedupe_key=f"phase:{phase.pk}:{today.isoformat()}",
        )
    return sent
