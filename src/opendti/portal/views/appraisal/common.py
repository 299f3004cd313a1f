"""Shared by the appraisal pages: who may see which page, and running a service from a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy

from opendti.accounts.roles import ADMINISTRATOR, APPROVER
from opendti.appraisal import services as appraisal
from opendti.assessments.access import has_role, is_coordinator, is_reviewer_of
from opendti.assessments.models import Submission
from opendti.periods.models import Participation, Period, ReviewerAssignment
from opendti.periods.workflow import TransitionRefused

from ..workspace import permission_denied_message

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
# A quarterly period is published by the coordinator, its results frozen at that moment.
QUARTER_PUBLISH = gettext_lazy("Công bố kết quả quý (không cần phê duyệt)")


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
    submission = Submission.objects.filter(participation=participation).first()
    if submission is None:  # made when the unit joined: a page never creates it
        raise Http404
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


def _places(period: Period) -> str:
    """floatformat's argument for the period's scores: its decimals, without trailing zeros."""
    return f"-{period.decimals}"
