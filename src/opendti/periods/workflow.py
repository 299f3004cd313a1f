"""The period's state machine: the one place that says which steps a period may take.

Annual periods: self-assessment → appraisal (review rounds) → reply (units see provisional results
and object) → approval → approved (results frozen as a snapshot under the province's decision)
→ published. The approver may send results back from approval to reply.
Quarterly periods (Bắc Kạn, decision 1294: the Department compiles and publishes each quarter, the
province approves only the year): self-assessment → (optional) appraisal → published by the
coordinator, the results frozen in the same kind of snapshot, without an approver or a decision.
Guards that need knowledge from higher layers (all rounds closed, objections answered, a snapshot
taken) are checked by the services that call `period_advance`; this module refuses any step that
is not in the table, and records every step it allows.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Period, PeriodTransition

Status = Period.Status

Cadence = Period.Cadence

STEPS: dict[str, dict[str, frozenset[str]]] = {
    Cadence.ANNUAL: {
        Status.SELF_ASSESSMENT: frozenset({Status.APPRAISAL}),
        Status.APPRAISAL: frozenset({Status.REPLY}),
        Status.REPLY: frozenset({Status.APPROVAL}),
        Status.APPROVAL: frozenset({Status.APPROVED, Status.REPLY}),
        Status.APPROVED: frozenset({Status.PUBLISHED}),
        Status.PUBLISHED: frozenset(),
    },
    Cadence.QUARTERLY: {
        Status.SELF_ASSESSMENT: frozenset({Status.APPRAISAL, Status.PUBLISHED}),
        Status.APPRAISAL: frozenset({Status.PUBLISHED}),
        Status.PUBLISHED: frozenset(),
    },
}


class TransitionRefused(ValidationError):
    """A step the process does not allow from the period's current state."""


def next_steps(cadence: str, before: str) -> frozenset[str]:
    """The statuses a period of this cadence may move to from `before`."""
    return STEPS[cadence].get(before, frozenset())


def can_step(cadence: str, before: str, after: str) -> bool:
    return after in next_steps(cadence, before)


def period_advance(*, period: Period, to: str, actor, reason: str = "") -> PeriodTransition:
    """Move the period to `to`, or refuse. The row is locked so that two coordinators pressing
    the same button at once make one step, and the other is refused."""
    with transaction.atomic():
        locked = Period.objects.select_for_update().get(pk=period.pk)
        before = locked.status
        if not can_step(locked.cadence, before, to):
            raise TransitionRefused(
                _("Không thể chuyển kỳ từ “%(before)s” sang “%(after)s”.")
                % {"before": Status(before).label, "after": Status(to).label}
            )
        locked.status = to
        locked.save(update_fields=["status"])
        period.status = to
        return PeriodTransition.objects.create(
            period=period, before=before, after=to, actor=actor, reason=reason
        )


def require_status(period: Period, *allowed: str) -> None:
    """Refuse an action that the period's current state does not allow."""
    if period.status not in allowed:
        raise TransitionRefused(
            _("Thao tác này không thực hiện được khi kỳ đang ở trạng thái “%(status)s”.")
            % {"status": Status(period.status).label}
        )
