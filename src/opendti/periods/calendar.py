"""The programme's calendar: which phase covers an action, and whether a day is inside it.

What a phase's dates allow (docs/calendar.md says the same for people):
- self-assessment: units enter values and submit only between its dates, or until the date the
  coordinator reopened one unit to (assessments.access.submission_is_open); a period without that
  phase accepts nothing, since the lock is the phase's whole purpose.
- appraisal, per round: reviewers decide (accept, adjust, request, agree to an adjustment, accept
  the rest) only inside their round's window. Signing off is allowed after it: it confirms
  decisions made in time, and the timeline shows the reviewer as late.
- explanation, per round: a unit explains a request of round n until the end of that window
  (answering before the window opens is welcome: the request itself opened the indicator). A
  request's due date may not fall after the window's end; given none, it is the window's end.
- reply: units object to their provisional results until the end of the window.
- coordinator review, approval, publication: the province's own steps are targets, shown on the
  timeline and reminded, never a lock: a decision of the province is not refused because a
  planned date has passed.
A phase that is not defined limits nothing: only the period's status applies (self-assessment
excepted, above). Every refusal names the dates (dd/mm/yyyy) and is a TransitionRefused: the web
answers 409 and the API 409, with the same message.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Period, Phase
from .workflow import TransitionRefused

Kind = Phase.Kind

# The order phases are listed in when their dates tie (and the process's order).
KIND_ORDER = {kind: i for i, kind in enumerate(Kind.values)}
# Phases whose window the server enforces on the people who act in them.
LOCKING = frozenset({Kind.SELF_ASSESSMENT, Kind.APPRAISAL, Kind.EXPLANATION, Kind.REPLY})


class PhaseClosed(TransitionRefused):
    """An action outside the window of the phase it belongs to."""


def date_text(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def phase_label(kind: str, round_number: int | None = None) -> str:
    """ "thẩm định lần 1", "giải trình lần 1", "phản hồi kết quả dự kiến"…"""
    label = Kind(kind).label
    if round_number:
        return _("%(phase)s lần %(n)d") % {"phase": label, "n": round_number}
    return str(label)


def require_within(
    period: Period,
    kind: str,
    *,
    round_number: int | None = None,
    on: datetime.date | None = None,
    before_start: bool = True,
) -> Phase | None:
    """Refuse an action outside the phase's window (before its start too, unless
    `before_start` is False). Returns the phase, or None when the period has none of that kind
    (nothing to refuse)."""
    phase = period.phase(kind, round_number)
    if phase is None:
        return None
    on = on or timezone.localdate()
    label = phase_label(kind, phase.round_number or round_number)
    if before_start and on < phase.starts_on:
        raise PhaseClosed(
            _("Chưa đến thời gian %(phase)s: từ ngày %(start)s đến hết ngày %(end)s.")
            % {"phase": label, "start": date_text(phase.starts_on), "end": date_text(phase.ends_on)}
        )
    if on > phase.ends_on:
        raise PhaseClosed(
            _(
                "Đã hết thời gian %(phase)s (từ ngày %(start)s đến hết ngày %(end)s); "
                "cơ quan thường trực có thể gia hạn."
            )
            % {"phase": label, "start": date_text(phase.starts_on), "end": date_text(phase.ends_on)}
        )
    return phase


# What marks a phase as done, from the period's status: the status it must have reached.
# (Appraisal and explanation rounds are judged from the rounds themselves: appraisal.timeline.)
DONE_AT: dict[str, str] = {
    Kind.SELF_ASSESSMENT: Period.Status.APPRAISAL,
    Kind.REPLY: Period.Status.APPROVAL,
    Kind.COORDINATOR_REVIEW: Period.Status.APPROVAL,
    Kind.APPROVAL: Period.Status.APPROVED,
    Kind.PUBLICATION: Period.Status.PUBLISHED,
}
STATUS_ORDER = {status: i for i, status in enumerate(Period.Status.values)}


def status_reached(period: Period, status: str) -> bool:
    """Whether the period is at `status` or past it (a quarterly period published straight from
    self-assessment has passed every step)."""
    return STATUS_ORDER[period.status] >= STATUS_ORDER[status]


LOCK_NOTE = gettext_lazy("hệ thống khóa thao tác ngoài thời gian này")
TARGET_NOTE = gettext_lazy("mốc theo dõi, không khóa thao tác")
