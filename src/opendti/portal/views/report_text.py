"""The coordinator's part of the report: the Part III text of a period (general assessment,
limitations and causes, tasks for next year), written before generating the report and kept with
its history; and the installation's Word template for the report (docs/reports.md).
Coordinators (and administrators) only; everyone else gets 404. The views read the forms and
call reports.texts and reports.templates, which check, write and record history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opendti.assessments.access import access_period_dashboard, is_coordinator
from opendti.audit.services import Kind, audit_record
from opendti.reports.models import ReportTemplate
from opendti.reports.services import DOCX
from opendti.reports.templates import (
    current_template,
    report_template,
    template_reset,
    template_upload,
)
from opendti.reports.texts import FIELDS, report_text, report_text_history, report_text_save

from .workspace import htmx_login_required, permission_denied_message


def _text_page(request: HttpRequest, period, status: int = 200, **extra) -> HttpResponse:
    text = report_text(period)
    return render(
        request,
        "portal/reports/text.html",
        {
            "period": period,
            "fields": [
                (field, label, extra.get("values", {}).get(field, getattr(text, field)))
                for field, label in text.Field.choices
            ],
            "text": text,
            "history": report_text_history(period),
            **extra,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@htmx_login_required
def report_text_edit(request: HttpRequest, period: str) -> HttpResponse:
    found = access_period_dashboard(request.user, period)
    if request.method == "GET":
        return _text_page(request, found)
    values = {field: request.POST.get(field, "") for field in FIELDS}
    reason = request.POST.get("reason", "")
    try:
        changes = report_text_save(period=found, values=values, reason=reason, actor=request.user)
    except ValidationError as error:
        return _text_page(request, found, 422, errors=error.messages, values=values, reason=reason)
    messages.success(
        request,
        _("Đã lưu nội dung báo cáo.") if changes else _("Không có gì thay đổi."),
    )
    return redirect("portal:report_text", period=found.code)


def _coordinator(request: HttpRequest) -> None:
    if not is_coordinator(request.user):
        raise Http404


def _template_page(request: HttpRequest, status: int = 200, **extra) -> HttpResponse:
    return render(
        request,
        "portal/reports/template.html",
        {
            "current": current_template(),
            "history": ReportTemplate.objects.select_related("uploaded_by")[:50],
            **extra,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@htmx_login_required
def report_template_page(request: HttpRequest) -> HttpResponse:
    _coordinator(request)
    if request.method == "GET":
        return _template_page(request)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("action") == "reset":
            template_reset(reason=reason, actor=request.user)
            messages.success(request, _("Đã trở lại mẫu báo cáo mặc định."))
        else:
            file = request.FILES.get("file")
            if file is None:
                raise ValidationError(_("Hãy chọn tệp mẫu Word (.docx)."))
            template_upload(
                data=file.read(), name=file.name or "", reason=reason, actor=request.user
            )
            messages.success(request, _("Đã dùng mẫu báo cáo mới."))
    except ValidationError as error:
        return _template_page(request, 422, errors=error.messages)
    except PermissionDenied as error:
        return _template_page(request, 403, errors=[permission_denied_message(error)])
    return redirect("portal:report_template")


@require_GET
@htmx_login_required
def report_template_download(request: HttpRequest) -> HttpResponse:
    """The template in use, to edit in Word and upload again."""
    _coordinator(request)
    uploaded = current_template()
    name = uploaded.name if uploaded else "mau-bao-cao.docx"
    response = HttpResponse(report_template(), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    audit_record(Kind.EXPORT, request=request, target="report_template", detail={"file": name})
    return response
