"""Excel data entry for a unit: download the template, upload it back, see what would change,
apply it all or nothing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opendti.assessments.access import Action, access_submission
from opendti.assessments.services import spreadsheet
from opendti.audit.services import Kind, audit_record
from opendti.results.checks import submission_checks
from opendti.results.preview import unit_preview

from .workspace import _workspace_url, htmx_login_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan_key(submission) -> str:
    return f"opendti-excel-plan-{submission.pk}"


@require_GET
@htmx_login_required
def template(request, period: str, unit: str):
    submission = access_submission(request.user, period, unit, Action.EDIT)
    content = spreadsheet.submission_template(submission=submission, user=request.user)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="phieu-{period}-{unit}.xlsx"'
    audit_record(
        Kind.EXPORT,
        request=request,
        target=f"submission:{submission.pk}",
        detail={"what": "excel_template", "period": period, "unit": unit},
    )
    return response


@require_POST
@htmx_login_required
def upload(request, period: str, unit: str):
    submission = access_submission(request.user, period, unit, Action.EDIT)
    file = request.FILES.get("file")
    context = {"submission": submission, "period": submission.participation.period,
               "unit": submission.participation.unit}  # fmt: skip
    if file is None:
        messages.error(request, _("Chưa chọn tệp."))
        return redirect(_workspace_url(submission) + "#excel")
    try:
        plan = spreadsheet.submission_upload_plan(
            submission=submission, user=request.user, file=file, name=file.name
        )
    except ValidationError as error:
        return render(
            request,
            "portal/workspace/excel_preview.html",
            {**context, "refused": error.messages},
            status=422,
        )
    if plan.problems:
        return render(
            request, "portal/workspace/excel_preview.html", {**context, "plan": plan}, status=422
        )
    request.session[_plan_key(submission)] = plan.as_session()
    # The same data-quality checks as the form, on the values as they would be.
    result = unit_preview(
        period=submission.participation.period,
        unit_code=submission.participation.unit.code,
        overrides={c.code: c.after for c in plan.changes},
    )[1]
    changed = {c.code for c in plan.changes}
    checks: dict[str, list] = {}
    for check in submission_checks(submission=submission, result=result):
        if check.node in changed:
            checks.setdefault(check.node, []).append(check)
    rows = [{"change": c, "checks": checks.get(c.code, [])} for c in plan.changes]
    return render(
        request, "portal/workspace/excel_preview.html", {**context, "plan": plan, "rows": rows}
    )


@require_POST
@htmx_login_required
def apply(request, period: str, unit: str):
    submission = access_submission(request.user, period, unit, Action.EDIT)
    plan = request.session.pop(_plan_key(submission), None)
    if plan is None:
        messages.error(request, _("Không còn bản tải lên nào chờ áp dụng; hãy tải tệp lên lại."))
        return redirect(_workspace_url(submission) + "#excel")
    try:
        count = spreadsheet.submission_upload_apply(
            submission=submission, user=request.user, plan=plan
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã cập nhật %(n)d chỉ số từ tệp Excel.") % {"n": count})
    return redirect(_workspace_url(submission))
