"""The coordinator's progress dashboard for a period: every unit's progress, who has submitted,
who is overdue, with a reminder button."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from opendti.assessments.access import access_period_dashboard, submission_is_open, today
from opendti.assessments.models import Submission
from opendti.periods.models import Participation, Phase
from opendti.results.checks import blocking_count, submission_checks
from opendti.results.services import period_score

from .workspace import htmx_login_required


@require_GET
@htmx_login_required
def dashboard(request, code: str):
    period = access_period_dashboard(request.user, code)
    phase = period.phase(Phase.Kind.SELF_ASSESSMENT)
    _, result = period_score(period=period)
    rows = []
    participations = Participation.objects.filter(period=period).select_related("unit", "period")
    for participation in participations:
        submission, _created = Submission.objects.get_or_create(participation=participation)
        submission.participation = participation
        checks = submission_checks(submission=submission, result=result)
        own = [c for c in checks if c.kind == "missing"]
        unit_nodes = result.unit(participation.unit.code).nodes
        rows.append(
            {
                "participation": participation,
                "submission": submission,
                "missing": len(own),
                "errors": blocking_count(checks),
                "warnings": len(checks) - blocking_count(checks),
                "total": result.unit(participation.unit.code).total,
                "scored": sum(1 for v in unit_nodes.values() if v is not None),
                "overdue": phase is not None
                and today() > phase.ends_on
                and submission.status != Submission.Status.SUBMITTED
                and not submission_is_open(submission),
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
        },
    )
