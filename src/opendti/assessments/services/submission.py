"""The submission's status: submit, recall, reopen, remind."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.accounts.models import User
from opendti.notifications.models import Notification
from opendti.notifications.services import notify
from opendti.periods.models import Participation, Period

from ..access import Action, require
from ..models import Change, Submission
from ..workflow import submission_step
from .history import change_record


def submission_submit(*, submission: Submission, actor, blocking: int) -> None:
    """The unit leader submits; refused while blocking checks remain (counted by the caller
    from the same checks the workspace shows)."""
    require(actor, Action.SUBMIT, submission)
    if submission.status == Submission.Status.SUBMITTED:
        raise ValidationError(_("Phiếu đã được gửi."))
    if blocking:
        raise ValidationError(_("Còn %(n)d lỗi phải sửa trước khi gửi.") % {"n": blocking})
    _set_status(submission, Submission.Status.SUBMITTED, actor, "")


def submission_recall(*, submission: Submission, actor, reason: str) -> None:
    """Before the deadline the leader may take a submission back to correct it."""
    require(actor, Action.SUBMIT, submission)
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError(_("Phiếu chưa được gửi."))
    _set_status(submission, Submission.Status.DRAFT, actor, reason)


def submission_reopen(*, submission: Submission, actor, until: datetime.date, reason: str) -> None:
    """The coordinator reopens one unit after the deadline, with a recorded reason."""
    require(actor, Action.REOPEN, submission)
    if submission.participation.period.status != Period.Status.SELF_ASSESSMENT:
        raise ValidationError(_("Kỳ đã chuyển sang thẩm định: không mở lại phiếu được nữa."))
    if not reason.strip():
        raise ValidationError(_("Cần ghi rõ lý do mở lại."))
    if until < timezone.localdate():
        raise ValidationError(_("Ngày mở lại đến phải từ hôm nay trở đi."))
    with transaction.atomic():
        before = submission.reopened_until
        submission.reopened_until = until
        submission.save(update_fields=["reopened_until"])
        change_record(
            submission,
            None,
            Change.Kind.STATUS,
            "reopened_until",
            before.isoformat() if before else "",
            until.isoformat(),
            actor,
            reason,
        )
        if submission.status != Submission.Status.DRAFT:
            _set_status(submission, Submission.Status.DRAFT, actor, reason)


def _set_status(submission: Submission, status: str, actor, reason: str) -> None:
    submission_step(submission, status, actor, reason)


@dataclass(frozen=True)
class Reminded:
    """Who a reminder reached: everyone in the site, and by e-mail those with an address."""

    notified: list[User]
    without_email: list[User]

    @property
    def emailed(self) -> int:
        return len(self.notified) - len(self.without_email)


def submission_remind(*, submission: Submission, actor, message: str = "") -> Reminded:
    """Remind the unit's people (every active member) to complete their submission: an in-site
    notification always, an e-mail to those with an address (one message each, so nobody sees a
    colleague's address). The coordinator is told who has no address, to ring them instead."""
    require(actor, Action.REMIND, submission)
    participation: Participation = submission.participation
    people = sorted(
        {
            m.user.pk: m.user
            for m in participation.memberships.select_related("user")
            if m.user.is_active
        }.values(),
        key=lambda user: user.pk,
    )
    title = _("Nhắc nhở hoàn thành phiếu tự đánh giá: %(unit)s") % {"unit": participation.unit.name}
    body = message or _(
        "Đề nghị đơn vị hoàn thành và gửi phiếu tự đánh giá kỳ %(period)s đúng hạn."
    ) % {"period": participation.period.title}
    url = f"/ky/{participation.period.code}/don-vi/{participation.unit.code}/"
    with transaction.atomic():
        notify(people, kind=Notification.Kind.DEADLINE, title=title, body=body, url=url)
        emails = sorted(user.email for user in people if user.email)
        change_record(
            submission, None, Change.Kind.REMINDER, "email", "", ", ".join(emails), actor, body
        )
    return Reminded(notified=people, without_email=[user for user in people if not user.email])
