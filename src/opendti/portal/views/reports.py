"""The period's report files: ask for one, follow its progress, download it. For the
coordinator, the approver and the administrator; everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opendti.accounts.roles import APPROVER
from opendti.assessments.access import has_role, is_coordinator
from opendti.audit.services import Kind, audit_record
from opendti.core.storage import file_response
from opendti.periods.models import Period
from opendti.reports import services
from opendti.reports.models import ReportFile

from .workspace import htmx_login_required, permission_denied_message


def _period(user, code: str) -> Period:
    period = get_object_or_404(Period.objects.select_related("framework__level"), code=code)
    if not services.may_request(user):
        raise Http404
    return period


def _report(period: Period, pk: int) -> ReportFile:
    return get_object_or_404(
        ReportFile.objects.select_related("period", "created_by"), pk=pk, period=period
    )


def _page(request: HttpRequest, period: Period, status: int = 200, **extra) -> HttpResponse:
    return render(
        request,
        "portal/reports/page.html",
        {
            "period": period,
            "kinds": services.registered_kinds(),
            "files": ReportFile.objects.filter(period=period)
            .select_related("created_by")
            .prefetch_related("also"),
            "approved": services.has_snapshot(period),
            # Other periods of the year a report or decision may cover too (one decision for
            # the departments and the districts), and the kinds that can.
            "includable": services.includable_periods(period),
            "several": {k for k, g in services.GENERATORS.items() if g.several},
            # The period's menu (portal/appraisal/nav.html).
            "coordinator": is_coordinator(request.user),
            "approver": has_role(request.user, APPROVER),
            **extra,
        },
        status=status,
    )


@require_GET
@htmx_login_required
def reports(request: HttpRequest, period: str) -> HttpResponse:
    return _page(request, _period(request.user, period))


@require_POST
@htmx_login_required
def report_create(request: HttpRequest, period: str) -> HttpResponse:
    found = _period(request.user, period)
    kind = request.POST.get("kind", "")
    try:
        report = services.report_request(
            period=found, kind=kind, actor=request.user, also=request.POST.getlist("also")
        )
    except ValidationError as error:
        return _page(request, found, 422, error=" ".join(error.messages))
    except PermissionDenied as error:
        return _page(request, found, 403, error=permission_denied_message(error))
    messages.success(
        request,
        _("Đang tạo %(kind)s. Có thể rời trang; tệp sẽ có trong danh sách khi xong.")
        % {"kind": report.get_kind_display()},
    )
    return redirect(reverse("portal:reports", args=[found.code]) + f"#tep-{report.pk}")


@require_GET
@htmx_login_required
def report_status(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    """The file's row of the list (htmx polls it until the file is done or failed)."""
    found = _period(request.user, period)
    return render(request, "portal/reports/row.html", {"period": found, "f": _report(found, pk)})


@require_GET
@htmx_login_required
def report_download(request: HttpRequest, period: str, pk: int) -> HttpResponseBase:
    found = _period(request.user, period)
    report = _report(found, pk)
    if report.status != ReportFile.Status.DONE:
        raise Http404
    filename, content_type = services.download_name(report)
    try:
        response = file_response(
            services.reports_storage(),
            report.storage_path,
            filename=filename,
            content_type=content_type,
        )
    except FileNotFoundError:
        raise Http404 from None
    audit_record(
        Kind.EXPORT,
        request=request,
        target=f"period:{period}",
        detail={"report": report.kind, "file": filename},
    )
    return response
