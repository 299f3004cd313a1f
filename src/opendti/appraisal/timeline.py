"""The period's timeline (a selector): its phases with today's position, and what is late and who
is late. Nothing here writes.

A phase is done once the process has moved past it (periods.calendar.DONE_AT; an appraisal round
once the round has closed; an explanation window once the next round has opened or the appraisal
is over), or once its last day has passed with nobody late. Otherwise it is upcoming, running, or
late. Who is late:
- self-assessment over, not done: the units that have not submitted (and are not reopened);
- an appraisal round's window over: the reviewers who have not signed off (the coordinator, when
  the round has not even been opened);
- explanation: the units with a request not answered after its due date;
- reply window over: the coordinator, for the objections not answered;
- coordinator review, approval, publication over and not done: the coordinator or the approver.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendti.accounts.roles import APPROVER, COORDINATOR, ROLES
from opendti.assessments.models import Submission
from opendti.periods.calendar import (
    DONE_AT,
    KIND_ORDER,
    LOCKING,
    date_text,
    phase_label,
    status_reached,
)
from opendti.periods.models import Participation, Period, Phase, PhaseExtension

from .models import Decision, Objection, Round
from .services import pending_sign_offs

Kind = Phase.Kind
DONE, RUNNING, UPCOMING, LATE = "done", "running", "upcoming", "late"
STATE_LABELS = {
    DONE: gettext_lazy("đã xong"),
    RUNNING: gettext_lazy("đang diễn ra"),
    UPCOMING: gettext_lazy("sắp tới"),
    LATE: gettext_lazy("quá hạn"),
}


@dataclass(frozen=True)
class LateItem:
    phase: int  # the phase's pk
    who: str
    what: str
    deadline: datetime.date
    unit: str = ""  # the unit's code, when a unit is late (its people see it)
    user_id: int | None = None  # the reviewer, when a reviewer is late (they see it)


@dataclass(frozen=True)
class PhaseLine:
    pk: int
    kind: str
    round_number: int | None
    label: str
    starts_on: datetime.date
    ends_on: datetime.date
    state: str
    locks: bool  # the server refuses actions outside it (periods.calendar.LOCKING)
    extensions: tuple[PhaseExtension, ...]
    late: tuple[LateItem, ...]
    waiting: str  # what the phase still waits for while it runs ("" when nothing)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True)
class Timeline:
    period: Period
    today: datetime.date
    lines: tuple[PhaseLine, ...]

    @property
    def late(self) -> tuple[LateItem, ...]:
        return tuple(item for line in self.lines for item in line.late)


class _Unit(NamedTuple):
    name: str
    code: str


class _Facts:
    """What the phases' states are judged from, read once per timeline."""

    def __init__(self, period: Period, today: datetime.date) -> None:
        self.period = period
        self.today = today
        self.rounds = {r.number: r for r in Round.objects.filter(period=period)}
        # Only what the late list names (each unit's name and code) and each submission's
        # state, as values: thousands of units at national scale, read on the dashboard next
        # to its own table.
        participations = Participation.objects.filter(period=period).order_by("order")
        states = {
            participation_id: (status, reopened_until)
            for participation_id, status, reopened_until in Submission.objects.filter(
                participation__period=period
            ).values_list("participation_id", "status", "reopened_until")
        }
        self.not_submitted = [
            _Unit(name, code)
            for pk, name, code in participations.values_list("pk", "unit__name", "unit__code")
            if (state := states.get(pk)) is None
            or (state[0] != Submission.Status.SUBMITTED and not (state[1] and today <= state[1]))
        ]
        self.requests = list(
            Decision.objects.filter(
                round__period=period, kind=Decision.Kind.REQUEST, state=Decision.State.OPEN
            )
            .select_related("round", "node", "submission__participation__unit")
            .order_by("due_on", "pk")
        )
        self.open_objections = Objection.objects.filter(
            submission__participation__period=period, state=Objection.State.OPEN
        ).count()

    def appraisal_over(self) -> bool:
        return status_reached(self.period, Period.Status.REPLY)

    def done(self, phase: Phase) -> bool:
        if phase.kind == Kind.APPRAISAL:
            if self.appraisal_over():
                return True
            found = self.rounds.get(phase.round_number or 0)
            return found is not None and not found.is_open
        if phase.kind == Kind.EXPLANATION:
            number = phase.round_number
            return self.appraisal_over() or (number is not None and number + 1 in self.rounds)
        return status_reached(self.period, DONE_AT[phase.kind])


def _coordinator() -> str:
    return str(ROLES[COORDINATOR])


def _late(phase: Phase, facts: _Facts) -> list[LateItem]:
    """Who is late for a phase whose last day has passed and which is not done."""
    deadline = phase.ends_on
    if phase.kind == Kind.SELF_ASSESSMENT:
        return [
            LateItem(phase.pk, u.name, _("chưa gửi phiếu tự đánh giá"), deadline, u.code)
            for u in facts.not_submitted
        ]
    if phase.kind == Kind.APPRAISAL:
        found = facts.rounds.get(phase.round_number or max(facts.rounds, default=0))
        if found is None:
            return [
                LateItem(
                    phase.pk,
                    _coordinator(),
                    _("chưa mở %(phase)s") % {"phase": phase_label(phase.kind, phase.round_number)},
                    deadline,
                )
            ]
        return [
            LateItem(
                phase.pk,
                str(user),
                _("chưa xác nhận lần thẩm định %(n)d") % {"n": found.number},
                deadline,
                user_id=user.pk,
            )
            for user in pending_sign_offs(found)
        ]
    if phase.kind == Kind.EXPLANATION:
        return []  # the requests' own due dates decide (below), whatever the window says
    if phase.kind == Kind.REPLY:
        if not facts.open_objections:
            return []
        return [
            LateItem(
                phase.pk,
                _coordinator(),
                _("%(n)d ý kiến phản hồi chưa được trả lời") % {"n": facts.open_objections},
                deadline,
            )
        ]
    if phase.kind == Kind.APPROVAL:
        who = str(ROLES[APPROVER])
        return [LateItem(phase.pk, who, _("chưa phê duyệt kết quả"), deadline)]
    what = {
        str(Kind.COORDINATOR_REVIEW): _("chưa trình phê duyệt kết quả"),
        str(Kind.PUBLICATION): _("chưa công bố kết quả"),
    }
    return [LateItem(phase.pk, _coordinator(), what[phase.kind], deadline)]


def _requests_late(phase: Phase, facts: _Facts) -> list[LateItem]:
    """Explanations due: requests of the window's round(s) not answered after their due date."""
    return [
        LateItem(
            phase.pk,
            d.submission.participation.unit.name,
            _("chưa giải trình chỉ số %(code)s (hạn %(date)s)")
            % {"code": d.node.code, "date": date_text(d.due_on)},
            d.due_on,
            d.submission.participation.unit.code,
        )
        for d in facts.requests
        if d.due_on is not None
        and d.due_on < facts.today
        and (phase.round_number is None or d.round.number == phase.round_number)
    ]


def _waiting(phase: Phase, facts: _Facts) -> str:
    if phase.kind == Kind.SELF_ASSESSMENT and facts.not_submitted:
        return _("%(n)d đơn vị chưa gửi phiếu") % {"n": len(facts.not_submitted)}
    if phase.kind == Kind.EXPLANATION:
        open_ones = [
            d
            for d in facts.requests
            if phase.round_number is None or d.round.number == phase.round_number
        ]
        if open_ones:
            return _("%(n)d yêu cầu chờ giải trình") % {"n": len(open_ones)}
    if phase.kind == Kind.APPRAISAL:
        found = facts.rounds.get(phase.round_number or max(facts.rounds, default=0))
        if found is not None and found.is_open:
            pending = len(pending_sign_offs(found))
            if pending:
                return _("%(n)d thành viên chưa xác nhận") % {"n": pending}
    return ""


def period_timeline(period: Period, today: datetime.date) -> Timeline:
    """The period's phases in order (by dates, then the process's order), each with its state and
    who is late. Queries: a fixed number, plus one per open round for its pending reviewers."""
    facts = _Facts(period, today)
    phases = sorted(
        Phase.objects.filter(period=period).prefetch_related("extensions__actor"),
        key=lambda p: (p.starts_on, KIND_ORDER[p.kind], p.round_number or 0, p.order),
    )
    lines = []
    for phase in phases:
        done = facts.done(phase)
        late: list[LateItem] = []
        if phase.kind == Kind.EXPLANATION and not done:
            late = _requests_late(phase, facts)  # a request may fall due inside the window
        if done:
            state = DONE
        elif today < phase.starts_on:
            state = UPCOMING
        elif today <= phase.ends_on:
            state = RUNNING
        else:
            late = late or _late(phase, facts)
            # Over, and nobody is late (every unit submitted, every request explained…): done.
            state = LATE if late else DONE
        lines.append(
            PhaseLine(
                pk=phase.pk,
                kind=phase.kind,
                round_number=phase.round_number,
                label=phase_label(phase.kind, phase.round_number),
                starts_on=phase.starts_on,
                ends_on=phase.ends_on,
                state=state,
                locks=phase.kind in LOCKING,
                extensions=tuple(phase.extensions.all()),
                late=tuple(late),
                waiting="" if done else _waiting(phase, facts),
            )
        )
    return Timeline(period=period, today=today, lines=tuple(lines))
