"""The period's appraisal page: steps, rounds, workload, assignments; a reviewer's queue and sign-off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opendti.accounts.models import User
from opendti.accounts.roles import REVIEWER
from opendti.appraisal import selectors
from opendti.appraisal import services as appraisal
from opendti.appraisal.models import Decision
from opendti.appraisal.services.governance import require_coordinator
from opendti.assessments.access import is_coordinator
from opendti.frameworks.models import Node
from opendti.periods.models import Participation, Period, ReviewerAssignment
from opendti.periods.workflow import TransitionRefused, can_step
from opendti.publication import services as publication

from ..workspace import htmx_login_required
from .approval import _approval_page
from .common import (
    QUARTER_PUBLISH,
    STEPS,
    Status,
    _act,
    _approval_access,
    _is_reviewer,
    _overview_access,
    _period,
    _places,
    _unit_access,
)
from .review import _unit_page, _unit_url

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
        elif target is not None and can_step(period.cadence, period.status, target):
            if key == "reply" and period.status == Status.APPROVAL:
                continue  # the approver's return (with a reason), not a coordinator's step
            if key == "published" and period.is_quarterly:
                label = QUARTER_PUBLISH
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
            queue=selectors.reviewer_queue(user, period, request.GET.get("trang")),
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
