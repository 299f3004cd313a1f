"""The appraisal pages of the coordinator, the reviewers and the approver: the period's appraisal
(steps, rounds, workload, assignments; a reviewer's queue), one unit's review, the objections and
the approval.

Who may see a page is decided here (anything else answers 404); what a person may do, and when,
is decided by the services, whose refusal is shown on the page again with its reason: 422 for a
form the service refuses, 403 for a person who may not do it, 409 for a step the period's state
does not allow. A success redirects back to the page with a message.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opendti.accounts.models import User
from opendti.accounts.roles import ADMINISTRATOR, APPROVER, REVIEWER
from opendti.appraisal import selectors
from opendti.appraisal import services as appraisal
from opendti.appraisal.models import Decision, Objection
from opendti.appraisal.services.governance import require_coordinator
from opendti.assessments.access import has_role, is_coordinator, is_reviewer_of
from opendti.assessments.models import Submission
from opendti.frameworks.models import Node
from opendti.periods.models import Participation, Period, PeriodTransition, ReviewerAssignment
from opendti.periods.workflow import TransitionRefused, can_step
from opendti.publication import services as publication
from opendti.publication.models import Snapshot
from opendti.publication.snapshots import snapshot_scores
from opendti.results.services import period_scores

from .workspace import htmx_login_required, permission_denied_message

Status = Period.Status

# The coordinator's steps (the form's `to`), the period status each leads to (None: not a period
# step but a new round) and the button's words.
STEPS: dict[str, tuple[str | None, Any]] = {
    "appraisal": (Status.APPRAISAL, gettext_lazy("Kết thúc tự đánh giá, bắt đầu thẩm định")),
    "next_round": (None, gettext_lazy("Mở lần thẩm định tiếp theo")),
    "reply": (Status.REPLY, gettext_lazy("Kết thúc thẩm định, gửi kết quả dự kiến cho đơn vị")),
    "approval": (Status.APPROVAL, gettext_lazy("Trình lãnh đạo phê duyệt")),
    "published": (Status.PUBLISHED, gettext_lazy("Công bố kết quả")),
}
# From approval, the coordinator may take the results back to the reply window (same service).


# --- who may see what -------------------------------------------------------------------------


def _period(code: str) -> Period:
    return get_object_or_404(Period.objects.select_related("framework"), code=code)


def _is_reviewer(user, period: Period) -> bool:
    return ReviewerAssignment.objects.filter(period=period, reviewer_id=user.pk).exists()


def _is_approver(user) -> bool:
    return has_role(user, APPROVER, ADMINISTRATOR)


def _overview_access(user, period: Period) -> None:
    """The appraisal page: the coordinator, and reviewers assigned in the period."""
    if not (is_coordinator(user) or _is_reviewer(user, period)):
        raise Http404


def _coordinator_access(user, period: Period) -> None:
    if not is_coordinator(user):
        raise Http404


def _approval_access(user, period: Period) -> None:
    if not (is_coordinator(user) or _is_approver(user)):
        raise Http404


def _unit_access(user, period: Period, unit: str) -> tuple[Submission, bool]:
    """A unit's review: a reviewer assigned to the unit (never one of its own people) or the
    coordinator (reading only). Returns the submission and whether the user reviews it."""
    participation = (
        Participation.objects.select_related("period__framework", "unit")
        .filter(period=period, unit__code=unit)
        .first()
    )
    if participation is None:
        raise Http404
    reviews = is_reviewer_of(user, participation) and not appraisal.belongs_to(user, participation)
    if not (reviews or is_coordinator(user)):
        raise Http404
    submission, _created = Submission.objects.get_or_create(participation=participation)
    submission.participation = participation
    return submission, reviews


# --- running a service from a form ------------------------------------------------------------


def _refusal(error: Exception) -> tuple[int, str]:
    if isinstance(error, TransitionRefused):  # before ValidationError: it is one
        return 409, " ".join(error.messages)
    if isinstance(error, ValidationError):
        return 422, " ".join(error.messages)
    assert isinstance(error, PermissionDenied)
    return 403, permission_denied_message(error)


def _act(
    request: HttpRequest,
    action: Callable[[], object],
    success: str | Callable[[Any], str],
    done: str,
    refused: Callable[[int, str], HttpResponse],
) -> HttpResponse:
    """Call the service: on success go back to `done` with a message; on a refusal show the page
    again (via `refused`) with the reason and the matching status."""
    try:
        outcome = action()
    except (ValidationError, PermissionDenied) as error:
        status, reason = _refusal(error)
        return refused(status, reason)
    messages.success(request, success(outcome) if callable(success) else success)
    return redirect(done)


def _date(text: str, label: str) -> datetime.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_("%(label)s phải có dạng YYYY-MM-DD.") % {"label": label}) from None


def _score(text: str) -> Decimal | None:
    """A score as people type it (12,5 or 12.5); the service checks its range and decimals."""
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Điểm “%(value)s” không phải là số.") % {"value": text}) from None
    if not value.is_finite():
        raise ValidationError(_("Điểm không hợp lệ."))
    return value


def _places(period: Period) -> str:
    """floatformat's argument for the period's scores: its decimals, without trailing zeros."""
    return f"-{period.decimals}"


# --- the appraisal page -----------------------------------------------------------------------


def _steps(period: Period) -> list[tuple[str, Any]]:
    """The steps the workflow allows from the period's state (the server checks them again)."""
    found = []
    for key, (target, label) in STEPS.items():
        if key == "next_round":
            current = appraisal.round_current(period)
            if (
                period.status == Status.APPRAISAL
                and current is not None
                and not current.is_open
                and current.number < period.review_rounds
            ):
                found.append((key, label))
        elif target is not None and can_step(period.status, target):
            if key == "reply" and period.status == Status.APPROVAL:
                continue  # the approver's return (with a reason), not a coordinator's step
            found.append((key, label))
    return found


def _overview_page(
    request: HttpRequest, period: Period, status: int = 200, **extra: Any
) -> HttpResponse:
    user = request.user
    _overview_access(user, period)
    coordinator = is_coordinator(user)
    reviewer = _is_reviewer(user, period)
    current = appraisal.round_current(period)
    context: dict[str, Any] = {
        "period": period,
        "current": current,
        "rounds": selectors.rounds_overview(period),
        "coordinator": coordinator,
        "reviewer": reviewer,
        "places": _places(period),
        **extra,
    }
    if coordinator:
        context.update(
            steps=_steps(period),
            workload=appraisal.workload(period),
            assignments=ReviewerAssignment.objects.filter(period=period)
            .select_related("reviewer", "unit", "node")
            .order_by("reviewer__username", "unit__code", "node__order"),
            candidates=User.objects.filter(groups__name=REVIEWER, is_active=True)
            .distinct()
            .order_by("username"),
            participations=Participation.objects.filter(period=period)
            .select_related("unit")
            .order_by("order", "unit__name"),
            mains=Node.objects.filter(framework=period.framework, kind=Node.Kind.MAIN).order_by(
                "order"
            ),
            open_objections=appraisal.open_objections(period),
        )
    if reviewer:
        signed = bool(current and current.sign_offs.filter(reviewer_id=user.pk).exists())
        context.update(
            queue=selectors.reviewer_queue(user, period),
            awaiting=selectors.awaiting_agreement(user, period),
            signed_off=signed,
            can_sign_off=bool(
                period.status == Status.APPRAISAL and current and current.is_open and not signed
            ),
        )
    return render(request, "portal/appraisal/overview.html", context, status=status)


def _overview_url(period: Period) -> str:
    return reverse("portal:appraisal", args=[period.code])


@require_GET
@htmx_login_required
def overview(request: HttpRequest, period: str) -> HttpResponse:
    return _overview_page(request, _period(period))


def _on_overview(
    request: HttpRequest, period: Period, form: str, target: int | None = None
) -> Callable[[int, str], HttpResponse]:
    """The overview again with the refusal shown beside the form `form` (for `target`)."""
    return lambda status, reason: _overview_page(
        request, period, status, error=reason, error_form=form, error_for=target, typed=request.POST
    )


@require_POST
@htmx_login_required
def assign(request: HttpRequest, period: str) -> HttpResponse:
    found = _period(period)
    _overview_access(request.user, found)

    def action() -> object:
        require_coordinator(request.user)  # before reading the form: a reviewer learns nothing
        chosen = request.POST.get("reviewer", "")
        reviewer = User.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if reviewer is None:
            raise ValidationError(_("Chọn thành viên Tổ thẩm định."))
        return appraisal.reviewer_assign(
            period=found,
            reviewer=reviewer,
            actor=request.user,
            unit_code=request.POST.get("unit", "").strip(),
            node_code=request.POST.get("node", "").strip(),
        )

    return _act(
        request,
        action,
        _("Đã phân công thẩm định."),
        _overview_url(found) + "#phan-cong",
        _on_overview(request, found, "assign"),
    )


@require_POST
@htmx_login_required
def unassign(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    found = _period(period)
    _overview_access(request.user, found)
    assignment = get_object_or_404(ReviewerAssignment, pk=pk, period=found)
    return _act(
        request,
        lambda: appraisal.reviewer_unassign(assignment=assignment, actor=request.user),
        _("Đã bỏ phân công thẩm định."),
        _overview_url(found) + "#phan-cong",
        _on_overview(request, found, "assign"),
    )


def _advance(period: Period, to: str, actor, reason: str) -> None:
    require_coordinator(actor)  # every step is the coordinator's: refuse before reading `to`
    if to == "appraisal":
        appraisal.appraisal_start(period=period, actor=actor, reason=reason)
    elif to == "next_round":
        appraisal.round_open_next(period=period, actor=actor)
    elif to == "reply":
        appraisal.reply_open(period=period, actor=actor, reason=reason)
    elif to == "approval":
        publication.approval_request(period=period, actor=actor, reason=reason)
    elif to == "published":
        publication.publish(period=period, actor=actor)
    else:
        raise ValidationError(_("Bước chuyển không hợp lệ."))


@require_POST
@htmx_login_required
def advance(request: HttpRequest, period: str) -> HttpResponse:
    """One of the coordinator's steps. The form may come from the approval page (publishing)."""
    found = _period(period)
    refused: Callable[[int, str], HttpResponse]
    if request.POST.get("back", "") == "approval":
        _approval_access(request.user, found)
        done = reverse("portal:approval", args=[found.code])
        refused = lambda status, reason: _approval_page(  # noqa: E731
            request, found, status, error=reason, error_form="advance"
        )
    else:
        _overview_access(request.user, found)
        done = _overview_url(found)
        refused = _on_overview(request, found, "advance")
    to = request.POST.get("to", "")
    labels = dict(STEPS)
    return _act(
        request,
        lambda: _advance(found, to, request.user, request.POST.get("reason", "").strip()),
        _("Đã thực hiện: %(step)s.") % {"step": labels[to][1] if to in labels else to},
        done,
        refused,
    )


@require_POST
@htmx_login_required
def sign_off(request: HttpRequest, period: str) -> HttpResponse:
    found = _period(period)
    _overview_access(request.user, found)

    def action() -> bool:
        current = appraisal.round_current(found)
        if current is None:
            raise TransitionRefused(_("Không có lần thẩm định nào đang mở."))
        return appraisal.round_sign_off(appraisal_round=current, reviewer=request.user)

    return _act(
        request,
        action,
        lambda closed: (
            _("Đã xác nhận; mọi thành viên đã xác nhận nên lần thẩm định đã kết thúc.")
            if closed
            else _("Đã xác nhận phần việc của bạn trong lần thẩm định này.")
        ),
        _overview_url(found),
        _on_overview(request, found, "sign_off"),
    )


@require_POST
@htmx_login_required
def agree(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    """The second reviewer agrees with (or declines) a large adjustment."""
    found = _period(period)
    decision = get_object_or_404(
        Decision.objects.select_related(
            "round", "node", "reviewer", "submission__participation__unit"
        ),
        pk=pk,
        submission__participation__period=found,
    )
    submission, _reviews = _unit_access(
        request.user, found, decision.submission.participation.unit.code
    )
    decision.submission = submission
    agreed = request.POST.get("agreed") == "yes"
    note = request.POST.get("note", "")
    refused: Callable[[int, str], HttpResponse]
    if request.POST.get("back", "") == "unit":
        done = _unit_url(found, submission, decision.node)
        refused = lambda status, reason: _unit_page(  # noqa: E731
            request, found, submission, status, error=reason, error_code=decision.node.code
        )
    else:
        _overview_access(request.user, found)
        done = _overview_url(found) + "#y-kien"
        refused = _on_overview(request, found, "agree", decision.pk)
    return _act(
        request,
        lambda: appraisal.agree(decision=decision, reviewer=request.user, agreed=agreed, note=note),
        _("Đã đồng ý với điều chỉnh.") if agreed else _("Đã ghi ý kiến không đồng ý."),
        done,
        refused,
    )


# --- one unit's review ------------------------------------------------------------------------


def _unit_url(period: Period, submission: Submission, node: Node | None = None) -> str:
    url = reverse("portal:unit_review", args=[period.code, submission.participation.unit.code])
    return url + (f"#ind-{node.pk}" if node is not None else "")


def _unit_page(
    request: HttpRequest,
    period: Period,
    submission: Submission,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    _submission, reviews = _unit_access(request.user, period, submission.participation.unit.code)
    table = selectors.unit_review_table(submission)
    current = appraisal.round_current(period)
    signed = False
    if reviews and current is not None and period.status == Status.APPRAISAL:
        selectors.reviewer_marks(table, submission, request.user, current)
        signed = current.sign_offs.filter(reviewer_id=request.user.pk).exists()
    decidable = any(i.decidable for s in table.sections for i in s.items)
    return render(
        request,
        "portal/appraisal/unit.html",
        {
            "period": period,
            "submission": submission,
            "unit": submission.participation.unit,
            "table": table,
            "current": current,
            "reviews": reviews,
            "signed_off": signed,
            "decidable": decidable,
            "can_request": bool(current and current.number < period.review_rounds),
            "default_due": timezone.localdate() + datetime.timedelta(days=7),
            "coordinator": is_coordinator(request.user),
            "places": _places(period),
            # Large adjustments on this unit that this reviewer may agree to or decline.
            "agreeable": {
                d.pk
                for d in (selectors.awaiting_agreement(request.user, period) if reviews else [])
                if d.submission_id == submission.pk
            },
            **extra,
        },
        status=status,
    )


@require_GET
@htmx_login_required
def unit_review(request: HttpRequest, period: str, unit: str) -> HttpResponse:
    found = _period(period)
    submission, _reviews = _unit_access(request.user, found, unit)
    return _unit_page(request, found, submission)


@require_POST
@htmx_login_required
def decide(request: HttpRequest, period: str, unit: str, code: str) -> HttpResponse:
    found = _period(period)
    submission, _reviews = _unit_access(request.user, found, unit)
    # Only the scored indicators are appraised (the page offers no form for anything else; the
    # service itself does not check it in round 1).
    node = get_object_or_404(
        Node.objects.exclude(rule=""), framework_id=found.framework_id, code=code, scored=True
    )
    kind = request.POST.get("kind", "")

    def action() -> Decision:
        return appraisal.decide(
            submission=submission,
            node=node,
            reviewer=request.user,
            kind=kind,
            score=_score(request.POST.get("score", "")) if kind == Decision.Kind.ADJUST else None,
            reason=request.POST.get("reason", ""),
            due_on=_date(request.POST.get("due_on", ""), _("Hạn giải trình"))
            if kind == Decision.Kind.REQUEST
            else None,
        )

    def success(decision: Decision) -> str:
        text = _("Chỉ số %(code)s: %(kind)s.") % {
            "code": node.code,
            "kind": Decision.Kind(decision.kind).label,
        }
        if decision.state == Decision.State.AWAITING:
            text += " " + _("Điều chỉnh vượt ngưỡng, chờ thành viên thứ hai đồng ý.")
        return text

    return _act(
        request,
        action,
        success,
        _unit_url(found, submission, node),
        lambda status, reason: _unit_page(
            request,
            found,
            submission,
            status,
            error=reason,
            error_code=node.code,
            typed=request.POST,
        ),
    )


@require_POST
@htmx_login_required
def accept_rest(request: HttpRequest, period: str, unit: str) -> HttpResponse:
    found = _period(period)
    submission, reviews = _unit_access(request.user, found, unit)

    def action() -> int:
        if not reviews:  # the service would accept nothing for someone with no scope
            raise PermissionDenied(_("Chỉ thành viên Tổ thẩm định được phân công mới thẩm định."))
        current = appraisal.round_open(found)
        # All or nothing: a refusal half-way leaves no indicator accepted.
        with transaction.atomic():
            return appraisal.accept_rest(
                appraisal_round=current, reviewer=request.user, submission=submission
            )

    return _act(
        request,
        action,
        lambda count: _("Đã chấp nhận %(n)d chỉ số còn lại.") % {"n": count},
        _unit_url(found, submission),
        lambda status, reason: _unit_page(
            request, found, submission, status, error=reason, error_code=""
        ),
    )


# --- objections -------------------------------------------------------------------------------


def _objections_page(
    request: HttpRequest, period: Period, status: int = 200, **extra: Any
) -> HttpResponse:
    _coordinator_access(request.user, period)
    return render(
        request,
        "portal/appraisal/objections.html",
        {
            "period": period,
            "rows": selectors.objection_rows(period),
            "open_count": appraisal.open_objections(period),
            "answerable": period.status == Status.REPLY,
            "places": _places(period),
            **extra,
        },
        status=status,
    )


@require_GET
@htmx_login_required
def objections(request: HttpRequest, period: str) -> HttpResponse:
    return _objections_page(request, _period(period))


@require_POST
@htmx_login_required
def objection_answer(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    found = _period(period)
    _coordinator_access(request.user, found)
    objection = get_object_or_404(
        Objection.objects.select_related("node", "submission__participation__period"),
        pk=pk,
        submission__participation__period=found,
    )
    verdict = request.POST.get("verdict", "")

    def action() -> Objection:
        if verdict not in ("upheld", "rejected"):
            raise ValidationError(_("Chọn chấp nhận hoặc không chấp nhận ý kiến."))
        upheld = verdict == "upheld"
        return appraisal.objection_answer(
            objection=objection,
            actor=request.user,
            upheld=upheld,
            answer=request.POST.get("answer", ""),
            score=_score(request.POST.get("score", "")) if upheld else None,
        )

    return _act(
        request,
        action,
        _("Đã trả lời ý kiến phản hồi."),
        reverse("portal:objections", args=[found.code]) + f"#y-kien-{objection.pk}",
        lambda status, reason: _objections_page(
            request, found, status, error=reason, error_for=objection.pk, typed=request.POST
        ),
    )


# --- approval ---------------------------------------------------------------------------------


def _approval_page(
    request: HttpRequest, period: Period, status: int = 200, **extra: Any
) -> HttpResponse:
    user = request.user
    _approval_access(user, period)
    snapshot = Snapshot.objects.filter(period=period).select_related("approved_by").first()
    # Once approved, the frozen results; before, the provisional ones as they stand.
    scores = snapshot_scores(snapshot) if snapshot else period_scores(period=period)
    ranking = sorted(scores.result.units, key=lambda u: (u.rank is None, u.rank or 0, u.name))
    return render(
        request,
        "portal/appraisal/approval.html",
        {
            "period": period,
            "ranking": ranking,
            "snapshot": snapshot,
            "open_objections": appraisal.open_objections(period),
            "transitions": PeriodTransition.objects.filter(period=period)
            .select_related("actor")
            .order_by("at", "pk"),
            "approver": _is_approver(user),
            "coordinator": is_coordinator(user),
            "today": timezone.localdate(),
            "places": _places(period),
            **extra,
        },
        status=status,
    )


@require_GET
@htmx_login_required
def approval(request: HttpRequest, period: str) -> HttpResponse:
    return _approval_page(request, _period(period))


@require_POST
@htmx_login_required
def approve(request: HttpRequest, period: str) -> HttpResponse:
    found = _period(period)
    _approval_access(request.user, found)

    def action() -> Snapshot:
        if not _is_approver(request.user):  # before reading the form
            raise PermissionDenied(_("Chỉ lãnh đạo phê duyệt được thực hiện thao tác này."))
        decided_on = _date(request.POST.get("decision_date", ""), _("Ngày quyết định"))
        if decided_on is None:
            raise ValidationError(_("Nhập ngày quyết định."))
        return publication.approve(
            period=found,
            actor=request.user,
            decision_number=request.POST.get("decision_number", ""),
            decision_date=decided_on,
            signer=request.POST.get("signer", ""),
        )

    return _act(
        request,
        action,
        lambda snapshot: (
            _("Đã phê duyệt kết quả (quyết định số %(number)s).")
            % {"number": snapshot.decision_number}
        ),
        reverse("portal:approval", args=[found.code]),
        lambda status, reason: _approval_page(
            request, found, status, error=reason, error_form="approve", typed=request.POST
        ),
    )


@require_POST
@htmx_login_required
def approval_return(request: HttpRequest, period: str) -> HttpResponse:
    found = _period(period)
    _approval_access(request.user, found)
    return _act(
        request,
        lambda: publication.approval_return(
            period=found, actor=request.user, reason=request.POST.get("reason", "")
        ),
        _("Đã trả lại kết quả để chỉnh sửa."),
        reverse("portal:approval", args=[found.code]),
        lambda status, reason: _approval_page(
            request, found, status, error=reason, error_form="return", typed=request.POST
        ),
    )
