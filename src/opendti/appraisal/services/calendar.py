"""The coordinator moves a phase's dates (usually extends it), with a recorded reason.

A phase's dates change only here: the earlier dates are kept as a PhaseExtension row (who, when,
why, old and new dates), and two coordinators changing the same phase at once cannot overwrite
each other silently (the second one is refused). Extending an explanation window also moves the
due date of the open requests of that window that followed it (due on its old end), so that the
units really get the extra days; each such change is a history row on the indicator.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opendti.assessments.models import Answer, Change
from opendti.assessments.services.history import change_record
from opendti.periods.calendar import date_text, phase_label
from opendti.periods.models import Period, Phase, PhaseExtension
from opendti.periods.workflow import TransitionRefused

from ..models import Decision
from .governance import require_coordinator


def phase_extend(
    *,
    phase: Phase,
    actor,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
    seen: tuple[datetime.date, datetime.date] | None = None,
) -> PhaseExtension:
    """Give `phase` new dates. `seen`: the dates the coordinator's form showed; when the phase
    has changed since, the change is refused rather than made over someone else's."""
    require_coordinator(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Ghi rõ lý do điều chỉnh thời gian."))
    if ends_on < starts_on:
        raise ValidationError(
            _("Ngày kết thúc (%(end)s) phải từ ngày bắt đầu (%(start)s) trở đi.")
            % {"end": date_text(ends_on), "start": date_text(starts_on)}
        )
    with transaction.atomic():
        locked = Phase.objects.select_for_update().select_related("period").get(pk=phase.pk)
        if locked.period.status == Period.Status.PUBLISHED:
            raise TransitionRefused(_("Kỳ đã công bố kết quả: không điều chỉnh lịch được nữa."))
        old = (locked.starts_on, locked.ends_on)
        if seen is not None and seen != old:
            raise ValidationError(
                _(
                    "Thời gian của giai đoạn vừa được người khác điều chỉnh (nay từ ngày "
                    "%(start)s đến hết ngày %(end)s); hãy tải lại trang."
                )
                % {"start": date_text(old[0]), "end": date_text(old[1])}
            )
        if old == (starts_on, ends_on):
            raise ValidationError(_("Thời gian mới trùng với thời gian hiện tại."))
        extension = PhaseExtension.objects.create(
            phase=locked,
            old_starts_on=old[0],
            old_ends_on=old[1],
            new_starts_on=starts_on,
            new_ends_on=ends_on,
            reason=reason,
            actor=actor,
        )
        locked.starts_on, locked.ends_on = starts_on, ends_on
        locked.save(update_fields=["starts_on", "ends_on"])
        phase.starts_on, phase.ends_on = starts_on, ends_on
        if locked.kind == Phase.Kind.EXPLANATION:
            _move_requests(locked, old[1], actor, reason)
    return extension


def _move_requests(phase: Phase, old_end: datetime.date, actor, reason: str) -> None:
    """The open requests of the window, due on its old end, are now due on its new end."""
    requests = Decision.objects.filter(
        round__period_id=phase.period_id,
        kind=Decision.Kind.REQUEST,
        state__in=[Decision.State.OPEN, Decision.State.ANSWERED],
        due_on=old_end,
    ).select_related("submission__participation__period", "node", "round")
    if phase.round_number is not None:
        requests = requests.filter(round__number=phase.round_number)
    why = _("Gia hạn %(phase)s: %(reason)s") % {
        "phase": phase_label(phase.kind, phase.round_number),
        "reason": reason,
    }
    for decision in requests:
        still_open = Answer.objects.filter(
            submission=decision.submission, node=decision.node, open_until=old_end
        )
        if not still_open.exists():
            continue  # closed by the next round, or withdrawn: nothing to extend
        still_open.update(open_until=phase.ends_on)
        Decision.objects.filter(pk=decision.pk).update(due_on=phase.ends_on)
        change_record(
            decision.submission,
            decision.node,
            Change.Kind.STATUS,
            "due_on",
            old_end.isoformat(),
            phase.ends_on.isoformat(),
            actor,
            why,
        )
