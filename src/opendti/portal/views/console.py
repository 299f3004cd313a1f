"""The coordinator's console for a period (docs/console.md): create a period, change its settings
and phases until it opens, choose its units and ranking groups, import a new version of its
framework from XLSX with the difference shown before confirming. Coordinators (and
administrators) only; everyone else gets 404 as for a period that does not exist. The views read
the forms and call the services (periods.services, periods.participants,
results.framework_upload), which check, write and record history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendti.assessments.access import access_period_dashboard, is_coordinator
from opendti.frameworks.catalog import Template, TemplateError, template_get, template_list
from opendti.frameworks.models import BandScheme
from opendti.periods.forms import BasePhaseFormSet, PeriodForm, PhaseFormSet, phase_initial
from opendti.periods.models import Period
from opendti.periods.participants import Choice, participants_proposal, participants_set
from opendti.periods.services import (
    period_create,
    period_fingerprint,
    period_has_opened,
    period_update,
    require_not_opened,
)
from opendti.periods.workflow import TransitionRefused
from opendti.results.framework_template import (
    framework_template_confirm as framework_template_confirm_service,
)
from opendti.results.framework_template import (
    framework_template_plan,
    template_baseline,
    template_fields,
    template_supplements,
)
from opendti.results.framework_upload import (
    change_kinds,
    framework_upload_confirm,
    framework_upload_plan,
    framework_upload_store,
)

from .workspace import htmx_login_required


def _refused(error: ValidationError) -> tuple[int, list[str]]:
    return (409 if isinstance(error, TransitionRefused) else 422), list(error.messages)


def _plan(phases: Any) -> list[Any]:
    assert isinstance(phases, BasePhaseFormSet)
    return phases.plan()


def _bands(period: Period | None) -> list[Any]:
    """The band schemes of the period's framework version: the period ranks with these."""
    if period is None:
        return []
    return list(
        BandScheme.objects.filter(framework_id=period.framework_id)
        .prefetch_related("bands")
        .order_by("scope")
    )


def _settings_page(
    request: HttpRequest, period: Period | None, form: PeriodForm, phases: Any, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "portal/console/settings.html",
        {
            "period": period,
            "form": form,
            "phases": phases,
            "bands": _bands(period),
            "invalid": status == 422,
            "opened": period is not None and period_has_opened(period),
            "seen": period_fingerprint(period) if period is not None else "",
            "history": period.changes.select_related("actor").order_by("-at", "-pk")[:20]
            if period is not None
            else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@htmx_login_required
def period_new(request: HttpRequest) -> HttpResponse:
    if not is_coordinator(request.user):
        raise Http404
    if request.method == "GET":
        form = PeriodForm(initial={"cadence": Period.Cadence.ANNUAL, "decimals": 2})
        return _settings_page(request, None, form, PhaseFormSet(prefix="phase"))
    form = PeriodForm(request.POST)
    phases = PhaseFormSet(request.POST, prefix="phase")
    if not (form.is_valid() and phases.is_valid()):
        return _settings_page(request, None, form, phases, status=422)
    period = period_create(actor=request.user, settings=form.settings(), phases=_plan(phases))
    messages.success(
        request,
        _("Đã tạo kỳ %(title)s. Tiếp theo: chọn các đơn vị tham gia.") % {"title": period.title},
    )
    return redirect("portal:participants", period=period.code)


@require_http_methods(["GET", "POST"])
@htmx_login_required
def period_settings(request: HttpRequest, period: str) -> HttpResponse:
    found = access_period_dashboard(request.user, period)
    if request.method == "GET":
        form = PeriodForm(instance=found)
        phases = PhaseFormSet(prefix="phase", initial=phase_initial(found))
        return _settings_page(request, found, form, phases)
    form = PeriodForm(request.POST, instance=Period.objects.get(pk=found.pk))
    phases = PhaseFormSet(request.POST, prefix="phase")
    try:
        require_not_opened(found)  # before the form: what was typed no longer matters
        if not (form.is_valid() and phases.is_valid()):
            return _settings_page(request, found, form, phases, status=422)
        changed = period_update(
            actor=request.user,
            period=found,
            seen=request.POST.get("seen", ""),
            settings=form.settings(),
            phases=_plan(phases),
        )
    except ValidationError as error:
        status, reasons = _refused(error)
        for reason in reasons:
            form.add_error(None, reason)
        found.refresh_from_db()
        return _settings_page(request, found, form, phases, status=status)
    messages.success(
        request, _("Đã lưu thiết lập của kỳ.") if changed else _("Không có gì thay đổi.")
    )
    return redirect("portal:period_settings", period=found.code)


def _groups(text: str) -> list[tuple[str, str]]:
    """Ranking groups typed one a line, "code: name"."""
    groups = []
    for line in text.splitlines():
        if line.strip():
            code, _sep, name = line.partition(":")
            groups.append((code.strip(), name.strip()))
    return groups


@require_http_methods(["GET", "POST"])
@htmx_login_required
def participants(request: HttpRequest, period: str) -> HttpResponse:
    found = access_period_dashboard(request.user, period)
    proposal = participants_proposal(found)
    context: dict[str, Any] = {
        "period": found,
        "proposal": proposal,
        "groups_text": "\n".join(f"{code}: {name}" for code, name in proposal.groups),
        "opened": period_has_opened(found),
        "seen": period_fingerprint(found),
    }
    if request.method == "GET":
        return render(request, "portal/console/participants.html", context)
    posted = request.POST
    chosen = [
        Choice(code, posted.get(f"group-{code}", "").strip(), posted.get(f"ranked-{code}") == "on")
        for code in posted.getlist("unit")
    ]
    groups = _groups(posted.get("groups", ""))
    try:
        detail = participants_set(
            period=found,
            actor=request.user,
            seen=posted.get("seen", ""),
            groups=groups,
            choices=chosen,
        )
    except ValidationError as error:
        status, reasons = _refused(error)
        # The page again as typed: the ticked units, their groups, the groups' text.
        typed = {c.unit: c for c in chosen}
        for row in proposal.rows:
            choice = typed.get(row.unit.code)
            row.joined = choice is not None
            if choice is not None:
                row.group, row.ranked = choice.group, choice.ranked
        context |= {"errors": reasons, "groups_text": posted.get("groups", "")}
        return render(request, "portal/console/participants.html", context, status=status)
    messages.success(
        request,
        _("Đã lưu đơn vị tham gia: thêm %(added)d, bỏ %(removed)d, đổi nhóm %(changed)d.")
        % {k: len(v) for k, v in detail.items()},
    )
    return redirect("portal:participants", period=found.code)


@require_http_methods(["GET", "POST"])
@htmx_login_required
def framework_import(request: HttpRequest, period: str) -> HttpResponse:
    """GET: the upload form. POST: keep the file, and show its errors or its difference from the
    period's current framework version, with the button that confirms."""
    found = access_period_dashboard(request.user, period)
    context: dict[str, Any] = {"period": found, "opened": period_has_opened(found)}
    if request.method == "GET":
        return render(request, "portal/console/framework.html", context)
    file = request.FILES.get("file")
    if file is None:
        context["refused"] = [_("Chưa chọn tệp.")]
        return render(request, "portal/console/framework.html", context, status=422)
    try:
        token = framework_upload_store(file=file, name=file.name or "")
    except ValidationError as error:
        context["refused"] = error.messages
        return render(request, "portal/console/framework.html", context, status=422)
    plan = framework_upload_plan(period=found, token=token)
    context |= {"plan": plan, "kinds": change_kinds(), "file_name": file.name}
    return render(request, "portal/console/framework.html", context, status=200 if plan.ok else 422)


@require_POST
@htmx_login_required
def framework_confirm(request: HttpRequest, period: str) -> HttpResponse:
    found = access_period_dashboard(request.user, period)
    try:
        seen = int(request.POST.get("seen_framework", ""))
    except ValueError:
        seen = -1
    try:
        new = framework_upload_confirm(
            period=found,
            token=request.POST.get("token", ""),
            actor=request.user,
            seen_framework=seen,
        )
    except ValidationError as error:
        status, reasons = _refused(error)
        context = {"period": found, "opened": period_has_opened(found), "refused": reasons}
        return render(request, "portal/console/framework.html", context, status=status)
    messages.success(
        request,
        _("Đã nhập bộ chỉ số phiên bản %(version)d và áp dụng cho kỳ này.")
        % {"version": new.version},
    )
    return redirect(reverse("portal:period_settings", kwargs={"period": found.code}))


@require_GET
@htmx_login_required
def framework_templates(request: HttpRequest, period: str) -> HttpResponse:
    """The shipped framework templates: their decision and what it leaves unstated."""
    found = access_period_dashboard(request.user, period)
    context = {
        "period": found,
        "opened": period_has_opened(found),
        "templates": template_list(),
        "against": template_baseline(found),
    }
    return render(request, "portal/console/templates.html", context)


def _template(slug: str) -> Template:
    try:
        return template_get(slug)
    except TemplateError:
        raise Http404 from None


def _template_page(
    request: HttpRequest, found: Period, template: Template, status: int = 200, **extra: Any
) -> HttpResponse:
    typed = extra.pop("typed", {})
    context = {
        "period": found,
        "opened": period_has_opened(found),
        "template": template,
        "fields": [
            (name, key, label, typed.get(key, "")) for name, key, label in template_fields(template)
        ],
        "against": template_baseline(found),
        "kinds": change_kinds(),
        **extra,
    }
    return render(request, "portal/console/template.html", context, status=status)


@require_http_methods(["GET", "POST"])
@htmx_login_required
def framework_template(request: HttpRequest, period: str, template: str) -> HttpResponse:
    """GET: the values the template's decision leaves unstated. POST: each missing or invalid
    one named, or the difference from last year's framework with the button that confirms."""
    found = access_period_dashboard(request.user, period)
    chosen = _template(template)
    if request.method == "GET":
        return _template_page(request, found, chosen)
    supplements = template_supplements(chosen, request.POST)
    plan = framework_template_plan(period=found, slug=chosen.slug, supplements=supplements)
    return _template_page(
        request, found, chosen, status=200 if plan.ok else 422, plan=plan, typed=supplements
    )


@require_POST
@htmx_login_required
def framework_template_confirm(request: HttpRequest, period: str, template: str) -> HttpResponse:
    found = access_period_dashboard(request.user, period)
    chosen = _template(template)
    supplements = template_supplements(chosen, request.POST)
    try:
        seen = int(request.POST.get("seen_framework", ""))
    except ValueError:
        seen = -1
    try:
        new = framework_template_confirm_service(
            period=found,
            slug=chosen.slug,
            supplements=supplements,
            actor=request.user,
            seen_framework=seen,
        )
    except ValidationError as error:
        status, reasons = _refused(error)
        return _template_page(
            request, found, chosen, status=status, refused=reasons, typed=supplements
        )
    messages.success(
        request,
        _("Đã nhập bộ chỉ số mẫu “%(title)s” thành phiên bản %(version)d và áp dụng cho kỳ này.")
        % {"title": chosen.title, "version": new.version},
    )
    return redirect(reverse("portal:period_settings", kwargs={"period": found.code}))
