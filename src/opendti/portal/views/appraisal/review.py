"""One unit's review: a reviewer's decisions per indicator."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opendti.appraisal import selectors
from opendti.appraisal import services as appraisal
from opendti.appraisal.models import Decision
from opendti.assessments.access import is_coordinator
from opendti.assessments.models import Submission
from opendti.frameworks.models import Node
from opendti.periods.models import Period

from ...forms import DecisionForm
from ..workspace import htmx_login_required
from .common import Status, _act, _period, _places, _unit_access

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
    form = DecisionForm(request.POST)

    def action() -> Decision:
        data = form.checked()
        return appraisal.decide(
            submission=submission,
            node=node,
            reviewer=request.user,
            kind=data["kind"],
            score=data["score"],
            reason=data["reason"],
            due_on=data["due_on"],
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
