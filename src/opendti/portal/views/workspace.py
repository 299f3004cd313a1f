"""The unit workspace: fill in indicators with a live score preview, evidence, checks, hand-over,
submission. Views only translate HTTP to the services and the permission layer."""

from __future__ import annotations

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opendti.accounts.models import User
from opendti.assessments import evidence as evidence_services
from opendti.assessments import services
from opendti.assessments.access import Action, access_submission, require
from opendti.assessments.forms import AnswerForm, IndicatorForm, label_of, value_display
from opendti.assessments.models import Change, Evidence, Submission
from opendti.audit.services import Kind, audit_record
from opendti.core.storage import file_response
from opendti.frameworks.models import Node
from opendti.numbers import Notation
from opendti.results.checks import blocking_count, checks_shown
from opendti.results.preview import unit_preview

from ..forms import EvidenceForm, ReasonForm, ReopenForm
from ..workspace import history_rows, workspace_build


def htmx_login_required(view):
    """login_required, except that a background (htmx) request answers 401 instead of a login
    page, so the page can keep the typed values and say that the session has ended."""
    guarded = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.headers.get("HX-Request") and not request.user.is_authenticated:
            return HttpResponse(status=401)
        return guarded(request, *args, **kwargs)

    return wrapper


def _node(submission: Submission, code: str) -> Node:
    return get_object_or_404(
        Node.objects.prefetch_related("inputs"),
        framework=submission.participation.period.framework,
        code=code,
    )


def _workspace_url(submission: Submission) -> str:
    from django.urls import reverse

    p = submission.participation
    return reverse("portal:workspace", args=[p.period.code, p.unit.code])


def _act(request, submission: Submission, action, success, refused_at: str = "") -> HttpResponse:
    """Run a service for a form post: its refusal or its success becomes a message on the
    workspace, where the user goes back to (on a refusal, to the `refused_at` anchor)."""
    try:
        outcome = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_workspace_url(submission) + refused_at)
    messages.success(request, success(outcome) if callable(success) else success)
    return redirect(_workspace_url(submission))


@require_GET
@htmx_login_required
def workspace(request, period: str, unit: str):
    submission = access_submission(request.user, period, unit)
    context = workspace_build(submission=submission, user=request.user)
    return render(request, "portal/workspace/page.html", context)


def _indicator(request, submission, node, status: int = 200, form=None, **extra):
    """The indicator's card; with a bound form, its boxes show what was typed (and refused)."""
    context = workspace_build(submission=submission, user=request.user)
    for section in context["sections"]:
        for indicator in section.indicators:
            if indicator.node.pk == node.pk:
                if form is not None:
                    indicator.fields = form.boxes()
                    indicator.invalid = set(form.error_inputs())
                return render(
                    request,
                    "portal/workspace/indicator_saved.html",
                    {**context, "section": section, "item": indicator, **extra},
                    status=status,
                )
    raise Http404


def _conflict_context(form: AnswerForm, conflict: services.Conflict) -> dict:
    """Theirs as people read it; yours as typed, to be sent again as it is."""
    return {
        "conflict": conflict,
        "theirs": [
            (label_of(f), value_display(f, conflict.theirs.get(f.name, ""))) for f in form.inputs
        ],
        "yours": form.boxes(),
    }


@require_POST
@htmx_login_required
def indicator_save(request, period: str, unit: str, code: str):
    submission = access_submission(request.user, period, unit)
    node = _node(submission, code)
    form = AnswerForm(node, request.POST)
    try:
        require(request.user, Action.EDIT, submission, node)
        if not form.is_valid():
            if "version" in form.errors:
                return HttpResponse(_("Thiếu phiên bản của biểu mẫu."), status=400)
            return _indicator(request, submission, node, 422, form, form_errors=form.messages())
        services.answer_save(
            submission=submission,
            node=node,
            raw=form.values(),
            notation=Notation.PLAIN,  # read and checked by the form above
            version=form.cleaned_data["version"],
            actor=request.user,
            is_estimate=form.cleaned_data["is_estimate"],
            note=form.cleaned_data["note"],
        )
    except services.Conflict as conflict:
        return _indicator(request, submission, node, 409, **_conflict_context(form, conflict))
    except ValidationError as error:
        return _indicator(request, submission, node, 422, form, form_errors=error.messages)
    except PermissionDenied as denied:
        # The card is shown again with the reason (the page swaps 403/409/422 answers in).
        return _indicator(
            request, submission, node, 403, form, form_errors=[permission_denied_message(denied)]
        )
    return _indicator(request, submission, node, saved=True)


@require_POST
@htmx_login_required
def preview(request, period: str, unit: str, code: str):
    """The score as it would be with the typed (unsaved) values; writes nothing."""
    submission = access_submission(request.user, period, unit)
    node = _node(submission, code)
    form = IndicatorForm(node, request.POST)
    valid = form.is_valid()
    overrides = {node.code: form.values()} if valid else None
    context = workspace_build(
        submission=submission, user=request.user, overrides=overrides, with_previous=False
    )
    item = next(i for s in context["sections"] for i in s.indicators if i.node.pk == node.pk)
    return render(
        request,
        "portal/workspace/preview.html",
        {**context, "item": item, "form_errors": [] if valid else form.messages()},
    )


@require_GET
@htmx_login_required
def indicator_history(request, period: str, unit: str, code: str):
    submission = access_submission(request.user, period, unit)
    node = _node(submission, code)
    changes = history_rows(
        Change.objects.filter(submission=submission, node=node).select_related("actor"), node
    )
    return render(request, "portal/workspace/history.html", {"changes": changes, "node": node})


@require_POST
@htmx_login_required
def indicator_confirm(request, period: str, unit: str, code: str):
    submission = access_submission(request.user, period, unit)
    node = _node(submission, code)
    services.answer_confirm(submission=submission, node=node, actor=request.user)
    return _indicator(request, submission, node, saved=True)


def _nodes_from(request, submission) -> list[Node]:
    codes = request.POST.getlist("nodes")
    nodes = list(
        Node.objects.filter(framework=submission.participation.period.framework, code__in=codes)
    )
    if len(nodes) != len(set(codes)):
        raise ValidationError(_("Có chỉ số không thuộc bộ chỉ số của kỳ."))
    return nodes


@require_POST
@htmx_login_required
def evidence_add(request, period: str, unit: str):
    submission = access_submission(request.user, period, unit)
    form = EvidenceForm(request.POST, request.FILES)
    try:
        data = form.checked()
        nodes = _nodes_from(request, submission)
        kind = data["kind"]
        if kind == Evidence.Kind.FILE:
            upload = data["file"]
            if upload is None:
                raise ValidationError(_("Chưa chọn tệp."))
            evidence_services.evidence_add_file(
                submission=submission,
                file=upload,
                name=upload.name,
                title=data["title"],
                nodes=nodes,
                actor=request.user,
                doc_date=data["doc_date"],
            )
        elif kind == Evidence.Kind.LINK:
            evidence_services.evidence_add_link(
                submission=submission,
                url=data["url"],
                title=data["title"],
                nodes=nodes,
                actor=request.user,
            )
        else:
            evidence_services.evidence_add_document(
                submission=submission,
                doc_number=data["doc_number"],
                doc_date=data["doc_date"],
                issuer=data["issuer"],
                summary=data["summary"],
                nodes=nodes,
                actor=request.user,
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã thêm tài liệu kiểm chứng."))
    return redirect(_workspace_url(submission) + "#tai-lieu")


def _evidence(submission: Submission, pk: int) -> Evidence:
    return get_object_or_404(Evidence, submission=submission, pk=pk)


@require_GET
@htmx_login_required
def evidence_download(request, period: str, unit: str, pk: int):
    submission = access_submission(request.user, period, unit)
    item = _evidence(submission, pk)
    if item.kind != Evidence.Kind.FILE:
        raise Http404
    try:
        response = file_response(
            evidence_services.evidence_storage(),
            item.storage_path,
            filename=item.original_name,
            content_type=item.content_type,
        )
    except FileNotFoundError:
        raise Http404 from None
    audit_record(
        Kind.EVIDENCE_DOWNLOAD,
        request=request,
        target=f"evidence:{item.pk}",
        detail={"period": period, "unit": unit, "name": item.original_name, "sha256": item.sha256},
    )
    return response


@require_POST
@htmx_login_required
def evidence_confirm(request, period: str, unit: str, pk: int):
    submission = access_submission(request.user, period, unit)
    evidence_services.evidence_confirm(evidence=_evidence(submission, pk), actor=request.user)
    return redirect(_workspace_url(submission) + "#tai-lieu")


@require_POST
@htmx_login_required
def evidence_link(request, period: str, unit: str, pk: int):
    submission = access_submission(request.user, period, unit)
    item = _evidence(submission, pk)
    node = _node(submission, request.POST.get("node", ""))
    if request.POST.get("unlink"):
        evidence_services.evidence_unlink(evidence=item, node=node, actor=request.user)
    else:
        evidence_services.evidence_link(evidence=item, node=node, actor=request.user)
    return redirect(_workspace_url(submission) + "#tai-lieu")


@require_POST
@htmx_login_required
def index_assign(request, period: str, unit: str):
    submission = access_submission(request.user, period, unit)
    node = _node(submission, request.POST.get("node", ""))
    user_id = request.POST.get("user")
    user = None
    if user_id:
        user = get_object_or_404(
            User.objects.filter(memberships__participation=submission.participation).distinct(),
            pk=user_id,
        )
    return _act(
        request,
        submission,
        lambda: services.index_assign(
            submission=submission, node=node, user=user, actor=request.user
        ),
        _("Đã cập nhật phân công."),
    )


@require_POST
@htmx_login_required
def carry_over(request, period: str, unit: str):
    submission = access_submission(request.user, period, unit)
    return _act(
        request,
        submission,
        lambda: services.submission_carry_over(submission=submission, actor=request.user),
        lambda count: (
            _("Đã nhập tiếp %(n)d chỉ số từ kỳ trước; hãy xác nhận từng chỉ số.") % {"n": count}
        ),
    )


@require_POST
@htmx_login_required
def submit(request, period: str, unit: str):
    submission = access_submission(request.user, period, unit)
    require(request.user, Action.SUBMIT, submission)
    # The same checks the page shows (without the previous period's, which only warn).
    result = unit_preview(
        period=submission.participation.period, unit_code=submission.participation.unit.code
    )[1]
    found = checks_shown(submissions=[submission], result=result, with_previous=False)
    blocking = blocking_count(found[submission.pk])
    # Refused: back to the list of errors, each a link to its indicator (page.html).
    return _act(
        request,
        submission,
        lambda: services.submission_submit(
            submission=submission, actor=request.user, blocking=blocking
        ),
        _("Đã gửi phiếu tự đánh giá."),
        refused_at="#gui-phieu",
    )


@require_POST
@htmx_login_required
def recall(request, period: str, unit: str):
    submission = access_submission(request.user, period, unit)
    return _act(
        request,
        submission,
        lambda: services.submission_recall(
            submission=submission,
            actor=request.user,
            reason=ReasonForm(request.POST).checked()["reason"],
        ),
        _("Đã thu hồi phiếu để chỉnh sửa."),
    )


def _reopen(request, submission: Submission) -> None:
    data = ReopenForm(request.POST).checked()
    services.submission_reopen(
        submission=submission,
        actor=request.user,
        until=data["until"] or datetime.date.min,
        reason=data["reason"],
    )


@require_POST
@htmx_login_required
def reopen(request, period: str, unit: str):
    submission = access_submission(request.user, period, unit)
    return _act(
        request,
        submission,
        lambda: _reopen(request, submission),
        _("Đã mở lại phiếu của đơn vị."),
    )


@require_POST
@htmx_login_required
def remind(request, period: str, unit: str):
    submission = access_submission(request.user, period, unit)
    reminded = services.submission_remind(submission=submission, actor=request.user)
    unit_name = submission.participation.unit.name
    if not reminded.notified:
        messages.error(
            request,
            _("%(unit)s chưa có tài khoản nào đang hoạt động: không có ai để nhắc.")
            % {"unit": unit_name},
        )
    else:
        messages.success(
            request,
            _(
                "Đã nhắc %(unit)s: %(n)d người nhận thông báo trong hệ thống, "
                "%(m)d người nhận thêm e-mail."
            )
            % {"unit": unit_name, "n": len(reminded.notified), "m": reminded.emailed},
        )
    if reminded.without_email:
        messages.warning(
            request,
            _("Chưa có địa chỉ e-mail (chỉ nhận thông báo trong hệ thống): %(names)s.")
            % {"names": ", ".join(f"{u} ({u.username})" for u in reminded.without_email)},
        )
    return redirect("portal:dashboard", code=period)


def permission_denied_message(exc: PermissionDenied) -> str:
    return str(exc) or _("Bạn không có quyền thực hiện thao tác này.")
