"""The coordinator's targets for a period (docs/console.md, "Mục tiêu"): set, change or remove a
target for a unit or a ranking group, and the bounds of the component indicators' levels, each
change with its reason kept in the history. Coordinators (and administrators) only; everyone else
gets 404 as for a period that does not exist. The services (results.targets, results.levels)
check, write and record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opendti.assessments.access import access_period_dashboard
from opendti.periods.models import Period
from opendti.publication.selectors import result_source
from opendti.results.levels import period_thresholds, thresholds_set, thresholds_text
from opendti.results.models import Target, TargetChange
from opendti.results.targets import (
    change_lines,
    describe,
    main_indices,
    period_progress,
    subjects,
    target_remove,
    target_set,
)

from ..target_forms import ReasonForm, TargetForm, ThresholdsForm
from .workspace import htmx_login_required


def _target_form(period: Period, data: Any = None) -> TargetForm:
    units, groups = subjects(period)
    mains = [(code, name) for code, name, _max in main_indices(period)]
    return TargetForm(data, units=units, groups=groups, mains=mains)


def _page(request: HttpRequest, period: Period, status: int = 200, **forms: Any) -> HttpResponse:
    thresholds = period_thresholds(period)
    source = result_source(request.user, period)
    progress = None
    if source is not None:
        scores = source.scores()
        progress = period_progress(period, scores.assessment, scores.result)
    context = {
        "period": period,
        "locked": period.status == Period.Status.PUBLISHED,
        "form": forms.get("form") or _target_form(period),
        "thresholds_form": forms.get("thresholds_form")
        or ThresholdsForm(
            initial={"good": thresholds.good, "fair": thresholds.fair} if thresholds else None
        ),
        "errors": forms.get("errors", []),
        "thresholds_text": thresholds_text(thresholds),
        "progress": progress,
        "targets": [
            (t, describe(period, t.scope, t.subject, t.node, t.measure))
            for t in Target.objects.filter(period=period)
        ],
        "history": change_lines(
            period,
            TargetChange.objects.filter(period=period)
            .select_related("actor")
            .order_by("-at", "-pk")[:50],
        ),
    }
    return render(request, "portal/console/targets.html", context, status=status)


@require_http_methods(["GET", "POST"])
@htmx_login_required
def targets(request: HttpRequest, period: str) -> HttpResponse:
    """GET: the targets, their progress and history. POST: set or change one target."""
    found = access_period_dashboard(request.user, period)
    if request.method == "GET":
        return _page(request, found)
    form = _target_form(found, request.POST)
    if not form.is_valid():
        return _page(request, found, status=422, form=form)
    try:
        target_set(period=found, actor=request.user, **form.target())
    except ValidationError as error:
        return _page(request, found, status=422, form=form, errors=error.messages)
    messages.success(request, _("Đã lưu mục tiêu."))
    return redirect("portal:targets", period=found.code)


@require_POST
@htmx_login_required
def target_delete(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    found = access_period_dashboard(request.user, period)
    target = get_object_or_404(Target, pk=pk, period=found)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _page(request, found, status=422, errors=form.errors["reason"])
    try:
        target_remove(target=target, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _page(request, found, status=422, errors=error.messages)
    messages.success(request, _("Đã bỏ mục tiêu."))
    return redirect("portal:targets", period=found.code)


@require_POST
@htmx_login_required
def level_thresholds(request: HttpRequest, period: str) -> HttpResponse:
    found = access_period_dashboard(request.user, period)
    form = ThresholdsForm(request.POST)
    if not form.is_valid():
        return _page(request, found, status=422, thresholds_form=form)
    try:
        changed = thresholds_set(
            period=found,
            actor=request.user,
            good=form.cleaned_data["good"],
            fair=form.cleaned_data["fair"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        return _page(request, found, status=422, thresholds_form=form, errors=error.messages)
    messages.success(
        request,
        _("Đã lưu ngưỡng phân loại chỉ số thành phần.") if changed else _("Không có gì thay đổi."),
    )
    return redirect("portal:targets", period=found.code)
