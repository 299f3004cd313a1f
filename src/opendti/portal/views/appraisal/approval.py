"""The objections of the reply window and the approval."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opendti.appraisal import selectors
from opendti.appraisal import services as appraisal
from opendti.appraisal.models import Objection
from opendti.assessments.access import is_coordinator
from opendti.core.vietnamese import sort_key
from opendti.periods.models import Period, PeriodTransition
from opendti.publication import services as publication
from opendti.publication.models import Snapshot
from opendti.publication.selectors import final_scores
from opendti.results import band_detail
from opendti.results.rankings import ranks_by_share, share_basis

from ...forms import ApprovalForm, ObjectionAnswerForm, ReasonForm
from ..workspace import htmx_login_required
from .common import (
    Status,
    _act,
    _approval_access,
    _coordinator_access,
    _is_approver,
    _period,
    _places,
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
    form = ObjectionAnswerForm(request.POST)

    def action() -> Objection:
        data = form.checked()
        return appraisal.objection_answer(
            objection=objection,
            actor=request.user,
            upheld=data["verdict"] == "upheld",
            answer=data["answer"],
            score=data["score"],
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
    # Once approved, the frozen results; before, the provisional ones as they stand.
    scores, snapshot = final_scores(period)
    ranking = sorted(
        scores.result.units, key=lambda u: (u.rank is None, u.rank or 0, sort_key(u.name))
    )
    note = band_detail.note() if any(u.percent_detail is not None for u in ranking) else ""
    return render(
        request,
        "portal/appraisal/approval.html",
        {
            "period": period,
            "ranking": ranking,
            # Mixed maxima: the rank is by share of each unit's maximum (results.rankings).
            "by_share": ranks_by_share(ranking),
            "share_basis": share_basis(),
            "snapshot": snapshot,
            "open_objections": appraisal.open_objections(period),
            "transitions": PeriodTransition.objects.filter(period=period)
            .select_related("actor")
            .order_by("at", "pk"),
            "approver": _is_approver(user),
            "coordinator": is_coordinator(user),
            "today": timezone.localdate(),
            "places": _places(period),
            # As the results were (or will be) classified: the snapshot's own setting once frozen.
            "band_on": Period.BandOn(scores.assessment.settings.band_on).label,
            "percent_note": note,
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
        data = ApprovalForm(request.POST).checked()
        return publication.approve(
            period=found,
            actor=request.user,
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            signer=data["signer"],
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
            period=found, actor=request.user, reason=ReasonForm(request.POST).checked()["reason"]
        ),
        _("Đã trả lại kết quả để chỉnh sửa."),
        reverse("portal:approval", args=[found.code]),
        lambda status, reason: _approval_page(
            request, found, status, error=reason, error_form="return", typed=request.POST
        ),
    )
