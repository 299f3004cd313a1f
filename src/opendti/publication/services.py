"""From the coordinator's review to publication: send for approval, return, approve (freezing the
snapshot), publish. Each step goes through periods.workflow, which refuses any other.

A quarterly period has no approval: the coordinator publishes it straight from self-assessment or
from the appraisal, which freezes its snapshot (without a decision) and publishes it in one step.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opendti.accounts.models import User
from opendti.accounts.roles import ADMINISTRATOR, APPROVER, COORDINATOR, REVIEWER
from opendti.appraisal.services import open_objections, require_appraisal_over, round_current
from opendti.appraisal.services.governance import require_coordinator
from opendti.assessments.access import has_role
from opendti.notifications.services import notify
from opendti.periods.models import Period
from opendti.periods.workflow import TransitionRefused, period_advance, require_status

from .models import TEXTS, Publication, Snapshot
from .seal import snapshot_check
from .snapshots import snapshot_freeze


def _people(*roles: str) -> list[User]:
    return list(User.objects.filter(groups__name__in=roles, is_active=True).distinct())


def _require_annual(period: Period) -> None:
    """Approval is the province's decision on an annual period; a quarter is not approved."""
    if period.is_quarterly:
        raise TransitionRefused(
            _("Kết quả hằng quý do cơ quan thường trực tổng hợp và công bố, không trình phê duyệt.")
        )


def approval_request(*, period: Period, actor, reason: str = "") -> None:
    """The coordinator sends the results for approval once every objection is answered."""
    require_coordinator(actor)
    _require_annual(period)
    if period.status == Period.Status.REPLY and open_objections(period):
        raise TransitionRefused(
            _("Còn %(n)d ý kiến phản hồi chưa được trả lời.") % {"n": open_objections(period)}
        )
    period_advance(period=period, to=Period.Status.APPROVAL, actor=actor, reason=reason)
    notify(
        _people(APPROVER),
        kind="approval",
        title=_("Đề nghị phê duyệt kết quả kỳ %(period)s") % {"period": period.title},
        body=reason or _("Kết quả đã được tổng hợp và chờ phê duyệt."),
        url=f"/ky/{period.code}/phe-duyet/",
    )


def _require_approver(actor) -> None:
    if not has_role(actor, APPROVER, ADMINISTRATOR):
        raise PermissionDenied(_("Chỉ lãnh đạo phê duyệt được thực hiện thao tác này."))


def approval_return(*, period: Period, actor, reason: str) -> None:
    """The approver sends the results back for changes (with the reason)."""
    _require_approver(actor)
    _require_annual(period)
    # The workflow also allows appraisal → reply (the coordinator's reply_open, which checks the
    # rounds); the approver only returns what was sent for approval.
    require_status(period, Period.Status.APPROVAL)
    if not reason.strip():
        raise ValidationError(_("Ghi rõ nội dung cần chỉnh sửa."))
    period_advance(period=period, to=Period.Status.REPLY, actor=actor, reason=reason.strip())
    notify(
        _people(COORDINATOR),
        kind="approval",
        title=_("Kết quả kỳ %(period)s được trả lại") % {"period": period.title},
        body=reason.strip(),
        url=f"/ky/{period.code}/phe-duyet/",
    )


def approve(
    *,
    period: Period,
    actor,
    decision_number: str,
    decision_date: datetime.date,
    signer: str,
) -> Snapshot:
    """The approver records the decision (number, date, signer); the results are frozen."""
    _require_approver(actor)
    _require_annual(period)
    if not decision_number.strip() or not signer.strip():
        raise ValidationError(_("Nhập số quyết định và người ký."))
    current = round_current(period)
    if current is not None and current.is_open:
        raise TransitionRefused(_("Còn lần thẩm định chưa kết thúc."))
    with transaction.atomic():
        period_advance(
            period=period,
            to=Period.Status.APPROVED,
            actor=actor,
            reason=_("Quyết định số %(number)s ngày %(date)s")
            % {"number": decision_number.strip(), "date": decision_date.strftime("%d/%m/%Y")},
        )
        snapshot = snapshot_freeze(
            period=period,
            actor=actor,
            decision_number=decision_number.strip(),
            decision_date=decision_date,
            signer=signer.strip(),
        )
    notify(
        _people(COORDINATOR),
        kind="approval",
        title=_("Kết quả kỳ %(period)s đã được phê duyệt") % {"period": period.title},
        body=_("Quyết định số %(number)s.") % {"number": snapshot.decision_number},
        url=f"/ky/{period.code}/phe-duyet/",
    )
    return snapshot


def publish(*, period: Period, actor) -> Publication:
    """The coordinator publishes the approved snapshot on the public portal (a quarter: its
    results frozen now, without a decision)."""
    require_coordinator(actor)
    if period.is_quarterly:
        publication = _publish_quarter(period, actor)
        _notify_published(period)
        return publication
    with transaction.atomic():
        period_advance(period=period, to=Period.Status.PUBLISHED, actor=actor)
        snapshot = Snapshot.objects.filter(period=period).first()
        if snapshot is None:  # the workflow only reaches "approved" by freezing one
            raise TransitionRefused(_("Kỳ chưa có kết quả được phê duyệt."))
        publication = Publication.objects.create(snapshot=snapshot, published_by=actor)
    _notify_published(period)
    return publication


def _publish_quarter(period: Period, actor) -> Publication:
    require_appraisal_over(period)
    with transaction.atomic():
        period_advance(
            period=period,
            to=Period.Status.PUBLISHED,
            actor=actor,
            reason=_("Công bố kết quả quý, không cần quyết định phê duyệt"),
        )
        snapshot = snapshot_freeze(
            period=period, actor=actor, decision_number="", decision_date=None, signer=""
        )
        return Publication.objects.create(snapshot=snapshot, published_by=actor)


def _notify_published(period: Period) -> None:
    people = User.objects.filter(memberships__participation__period=period).distinct()
    notify(
        list(people) + _people(REVIEWER, COORDINATOR),
        kind="results",
        title=_("Công bố kết quả kỳ %(period)s") % {"period": period.title},
        body=_("Kết quả đã được công bố trên cổng thông tin."),
        url=f"/ky/{period.code}/ket-qua/",
    )


def published_snapshot(period: Period) -> Snapshot | None:
    """The snapshot the public may see: only a published one, and only while it matches its seal
    (SealBroken otherwise)."""
    if period.status != Period.Status.PUBLISHED:
        return None
    # The texts (the frozen rows and the document, megabytes for a national period) are read
    # only if something reads them: the seal check of a record this process checked before does
    # not, nor do results kept for the rows' hash (results.source.frozen).
    snapshot = (
        Snapshot.objects.filter(period=period, publication__isnull=False).defer(*TEXTS).first()
    )
    if snapshot is not None:
        snapshot.period = period
        snapshot_check(snapshot)
    return snapshot
