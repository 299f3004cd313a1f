"""The security audit log for administrators: filters, pages of events, and the CSV export (itself
an audited event)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from opendti.accounts.roles import is_administrator
from opendti.audit.models import AuditEvent
from opendti.audit.selectors import audit_csv, audit_events, filters_from
from opendti.audit.services import Kind, audit_record

PAGE_SIZE = 100


def _require_administrator(request: HttpRequest) -> None:
    if not is_administrator(request.user):
        raise Http404


@require_GET
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    filters, errors = filters_from(request.GET)
    page = Paginator(audit_events(filters), PAGE_SIZE).get_page(request.GET.get("trang"))
    query = urlencode(filters.as_query())
    return render(
        request,
        "portal/audit.html",
        {
            "page": page,
            "filters": filters,
            "errors": errors,
            "kinds": AuditEvent.Kind.choices,
            "query": query,
        },
        status=422 if errors else 200,
    )


@require_GET
@login_required
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    _require_administrator(request)
    filters, _errors = filters_from(request.GET)
    audit_record(
        Kind.EXPORT, request=request, target="audit_log", detail={"filters": filters.as_query()}
    )
    response = StreamingHttpResponse(
        audit_csv(audit_events(filters)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-an-toan-{stamp}.csv"'
    return response
