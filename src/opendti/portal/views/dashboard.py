"""The coordinator's progress dashboard for a period: the calendar's block (phases, today, who is
late), every unit's progress, who has submitted, who is overdue, with a reminder button."""

from __future__ import annotations

from typing import Any

from django.shortcuts import render
from django.views.decorators.http import require_GET

from opendti.assessments.access import access_period_dashboard, today
from opendti.assessments.models import Submission
from opendti.frameworks.models import Node
from opendti.periods.models import Participation, Phase
from opendti.results.checks import blocking_count, period_checks
from opendti.results.services import period_score

from .timeline import timeline_context, timeline_viewer
from .workspace import htmx_login_required


@require_GET
@htmx_login_required
def dashboard(request, code: str):
    period = access_period_dashboard(request.user, code)
    phase = period.phase(Phase.Kind.SELF_ASSESSMENT)
    _, result = period_score(period=period)
    participations = list(
        Participation.objects.filter(period=period).select_related("unit", "period")
    )
    existing = {
        s.participation_id: s for s in Submission.objects.filter(participation__period=period)
    }
    submissions = []
    # Every unit's submission was made when it joined the period: a GET writes nothing.
    for participation in participations:
        submission = existing.get(participation.pk)
        if submission is None:  # not possible since migration 0005; never created in a GET
            continue
        submission.participation = participation
        submissions.append(submission)
    checks = period_checks(submissions=submissions, result=result)
    own = list(
        Node.objects.filter(framework=period.framework, source=Node.Source.SELF)
        .exclude(rule="")
        .values_list("code", flat=True)
    )
    overdue = phase is not None and today() > phase.ends_on
    rows: list[dict[str, Any]] = []
    for submission in submissions:
        unit_result = result.unit(submission.participation.unit.code)
        found = checks[submission.pk]
        errors = blocking_count(found)
        missing = sum(1 for c in found if c.kind == "missing")
        applicable = sum(1 for code in own if unit_result.nodes.get(code) is not None)
        rows.append(
            {
                "participation": submission.participation,
                "submission": submission,
                "missing": missing,
                "errors": errors,
                "warnings": len(found) - errors,
                "total": unit_result.total,
                "applicable": applicable,
                "answered": applicable - missing,
                "overdue": overdue
                and submission.status != Submission.Status.SUBMITTED
                and not (submission.reopened_until and today() <= submission.reopened_until),
            }
        )
    submitted = sum(1 for r in rows if r["submission"].status == Submission.Status.SUBMITTED)
    return render(
        request,
        "portal/dashboard.html",
        {
            "period": period,
            "phase": phase,
            "rows": rows,
            "submitted": submitted,
            "overdue": sum(1 for r in rows if r["overdue"]),
            # The calendar's block: phases, today, who is late (the coordinator sees everything).
            **timeline_context(period, timeline_viewer(request.user, period)),
        },
    )
