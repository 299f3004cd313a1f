"""The coordinator's progress dashboard for a period: the calendar's block (phases, today, who is
late), every unit's progress, who has submitted, who is overdue, with a reminder button; filtered,
searched and sorted, and exported to Excel. The counts come from results.progress, which uses the
workspace's own checks."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from opendti.assessments.access import access_period_dashboard, today
from opendti.audit.services import Kind, audit_record
from opendti.periods.models import Phase
from opendti.results.progress import (
    ProgressQuery,
    period_progress,
    progress_groups,
    progress_select,
    progress_xlsx,
)

from .timeline import timeline_context, timeline_viewer
from .workspace import htmx_login_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows on one page: a national period has thousands of units, and its whole table would take
# seconds to render and to read; the counts above the table, the filters and the export still
# cover every unit.
PAGE_SIZE = 100


@require_GET
@htmx_login_required
def dashboard(request, code: str):
    period = access_period_dashboard(request.user, code)
    phase = period.phase(Phase.Kind.SELF_ASSESSMENT)
    every = period_progress(period, on=today())
    query = ProgressQuery.from_params(request.GET)
    rows = progress_select(every, query)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    params = request.GET.copy()
    params.pop("trang", None)  # another filter or order starts from the first page
    page_query = params.urlencode()
    for name in ("sap-xep", "chieu"):
        params.pop(name, None)
    return render(
        request,
        "portal/dashboard.html",
        {
            "period": period,
            "phase": phase,
            "rows": rows,
            "page": page,
            "page_query": page_query,
            "every": len(every),
            "submitted": sum(1 for r in every if r.submitted),
            "overdue": sum(1 for r in every if r.overdue),
            "query": query,
            "groups": progress_groups(every),
            "sort": query.sort,
            "descending": query.descending,
            "sort_query": params.urlencode(),
            "export_query": page_query,
            # The calendar's block: phases, today, who is late (the coordinator sees everything).
            **timeline_context(period, timeline_viewer(request.user, period)),
        },
    )


@require_GET
@htmx_login_required
def dashboard_export(request, code: str):
    """The dashboard's rows (with its filters and order) as an Excel file."""
    period = access_period_dashboard(request.user, code)
    query = ProgressQuery.from_params(request.GET)
    rows = progress_select(period_progress(period, on=today()), query)
    audit_record(
        Kind.EXPORT,
        request=request,
        target=f"progress:{period.code}",
        detail={"rows": len(rows), "filters": request.GET.dict()},
    )
    response = HttpResponse(progress_xlsx(period, rows), content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="tien-do-{period.code}-{stamp}.xlsx"'
    return response
