"""The period's timeline (lịch trình): its phases as a Gantt-like picture with its table, today's
position, what is late and who is late; the coordinator moves a phase's dates with a reason.

Who sees it: the coordinator and administrators (everything), the approver (the phases and the
province's own steps), the reviewers assigned in the period (the phases and their own sign-offs),
the people of a unit taking part (the phases and their unit's own deadlines). Anyone else: 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opendti.accounts.roles import ADMINISTRATOR, APPROVER
from opendti.appraisal import services as appraisal
from opendti.appraisal.timeline import LateItem, Timeline, period_timeline
from opendti.assessments.access import has_role, is_coordinator, today
from opendti.periods.calendar import date_text
from opendti.periods.models import Membership, Period, Phase, ReviewerAssignment

from ..forms import PhaseExtendForm
from .appraisal.common import _act, _period
from .workspace import htmx_login_required


@dataclass(frozen=True)
class Viewer:
    """What of the timeline a person may see."""

    everything: bool  # the coordinator, an administrator
    approver: bool
    user_id: int | None
    units: frozenset[str]  # the units whose people they are, in this period

    def sees(self, item: LateItem) -> bool:
        if self.everything:
            return True
        if item.unit:
            return item.unit in self.units
        if item.user_id is not None:
            return item.user_id == self.user_id
        return self.approver  # the province's own steps


def timeline_viewer(user, period: Period) -> Viewer:
    """Who may see the period's timeline, and how much of it; 404 for anyone else."""
    if is_coordinator(user):
        return Viewer(True, True, user.pk, frozenset())
    if not user.is_authenticated or not user.is_active:
        raise Http404
    approver = has_role(user, APPROVER, ADMINISTRATOR)
    reviewer = ReviewerAssignment.objects.filter(period=period, reviewer=user).exists()
    units = frozenset(
        Membership.objects.filter(participation__period=period, user=user).values_list(
            "participation__unit__code", flat=True
        )
    )
    if not (approver or reviewer or units):
        raise Http404
    return Viewer(False, approver, user.pk, units)


# --- the picture ------------------------------------------------------------------------------

WIDTH, LABELS, ROW, TOP = 1000, 250, 30, 34  # the SVG's user units


@dataclass(frozen=True)
class Bar:
    line: Any  # appraisal.timeline.PhaseLine
    x: float
    width: float
    y: int

    @property
    def text_y(self) -> int:
        return self.y + ROW // 2 + 1


def gantt(timeline: Timeline) -> dict[str, Any] | None:
    """Coordinates of the picture (SVG user units): a bar per phase from its first day to the end
    of its last, month ticks, and today's line when today falls inside the calendar."""
    lines = timeline.lines
    if not lines:
        return None
    start = min(line.starts_on for line in lines)
    end = max(line.ends_on for line in lines) + datetime.timedelta(days=1)
    span = (end - start).days
    scale = (WIDTH - LABELS - 10) / span

    def x(day: datetime.date) -> float:
        return round(LABELS + (day - start).days * scale, 1)

    bars = [
        Bar(
            line,
            x(line.starts_on),
            round(max(line.days * scale, 2.0), 1),
            TOP + i * ROW,
        )
        for i, line in enumerate(lines)
    ]
    bottom = TOP + len(lines) * ROW + 4
    height = bottom + 18  # room for today's label under the rows
    ticks = []
    month = datetime.date(start.year, start.month, 1)
    every = max(1, round(span / 30 / 8))  # at most about eight labels
    n = 0
    while month < end:
        if month >= start and n % every == 0:
            ticks.append((x(month), month.strftime("%d/%m/%Y")))
        n += 1
        month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    on = timeline.today
    return {
        "bars": bars,
        "height": height,
        "ticks": ticks,
        "today_x": x(on) + round(scale / 2, 1) if start <= on < end else None,
        "first": date_text(start),
        "last": date_text(end - datetime.timedelta(days=1)),
        "width": WIDTH,
        "labels": LABELS,
        "row": ROW,
        "bottom": bottom,
    }


def timeline_context(period: Period, viewer: Viewer) -> dict[str, Any]:
    """The timeline as the viewer may see it (the dashboard's block uses the same)."""
    timeline = period_timeline(period, today())
    late = [item for item in timeline.late if viewer.sees(item)]
    return {
        "timeline": timeline,
        "gantt": gantt(timeline),
        "late": late,
        "viewer": viewer,
        "today": timeline.today,
    }


# --- pages ------------------------------------------------------------------------------------


def _page(request: HttpRequest, period: Period, status: int = 200, **extra: Any) -> HttpResponse:
    viewer = timeline_viewer(request.user, period)
    return render(
        request,
        "portal/timeline/page.html",
        {"period": period, **timeline_context(period, viewer), **extra},
        status=status,
    )


@require_GET
@htmx_login_required
def timeline(request: HttpRequest, period: str) -> HttpResponse:
    return _page(request, _period(period))


@require_POST
@htmx_login_required
def phase_extend(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    found = _period(period)
    timeline_viewer(request.user, found)  # 404 for those who may not see the timeline
    phase = get_object_or_404(Phase, pk=pk, period=found)

    def action() -> object:
        if not is_coordinator(request.user):  # before reading the form
            raise PermissionDenied(_("Chỉ cán bộ điều phối được điều chỉnh lịch của kỳ."))
        data = PhaseExtendForm(request.POST).checked()
        seen_start, seen_end = data["seen_starts_on"], data["seen_ends_on"]
        return appraisal.phase_extend(
            phase=phase,
            actor=request.user,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
            seen=(seen_start, seen_end) if seen_start and seen_end else None,
        )

    return _act(
        request,
        action,
        lambda extension: (
            _("Đã điều chỉnh thời gian %(phase)s: từ ngày %(start)s đến hết ngày %(end)s.")
            % {
                "phase": str(phase),
                "start": date_text(extension.new_starts_on),
                "end": date_text(extension.new_ends_on),
            }
        ),
        reverse("portal:timeline", args=[found.code]) + f"#giai-doan-{phase.pk}",
        lambda status, reason: _page(
            request, found, status, error=reason, error_for=phase.pk, typed=request.POST
        ),
    )
