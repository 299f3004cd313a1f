"""A unit's scorecard, and the what-if simulator: change inputs, see the new score, band and rank;
nothing is saved."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opendti.assessments.models import InputValue
from opendti.assessments.services import indicator_fields, value_normalise
from opendti.frameworks.models import Node
from opendti.periods.models import Participation, Period
from opendti.results import charts
from opendti.results.preview import unit_preview
from opendti.results.scorecard import unit_scorecard
from opendti.results.services import period_score
from opendti.results.years import unit_years

from ..access import access_period_results


def _participation(user, code: str, unit: str) -> Participation:
    period = access_period_results(user, code)
    participation = (
        Participation.objects.select_related("period__framework", "unit")
        .filter(period=period, unit__code=unit)
        .first()
    )
    if participation is None:
        raise Http404
    return participation


def _what_if_fields(participation: Participation) -> list[dict]:
    """The unit's own inputs, indicator by indicator, with the values stored now."""
    stored: dict[tuple[str, str], str] = {
        (code, name): value
        for code, name, value in InputValue.objects.filter(
            submission__participation=participation
        ).values_list("node__code", "input_name", "value")
    }
    nodes = (
        Node.objects.filter(framework=participation.period.framework, source=Node.Source.SELF)
        .exclude(rule="")
        .prefetch_related("inputs")
    )
    return [
        {
            "node": node,
            "fields": [(f, stored.get((node.code, f.name), "")) for f in indicator_fields(node)],
        }
        for node in nodes
        if node.inputs.all()
    ]


def _trend(years, unit: str):
    """The unit's total across the periods of the comparison (lineage means included)."""
    if len(years.columns) < 2:
        return None
    periods = {p.code: p for p in Period.objects.filter(code__in=[c.period for c in years.columns])}
    series = [(c.label, period_score(period=periods[c.period])[1]) for c in years.columns]
    return charts.trend_chart(series, unit, totals=[c.total for c in years.columns])


@require_GET
@login_required
def scorecard(request, code: str, unit: str):
    participation = _participation(request.user, code, unit)
    assessment, result = period_score(period=participation.period)
    card = unit_scorecard(assessment, result, unit)
    years = unit_years(period=participation.period, unit_code=unit)
    return render(
        request,
        "portal/scorecard.html",
        {
            "period": participation.period,
            "card": card,
            "what_if": _what_if_fields(participation),
            "profile": charts.unit_profile_chart(assessment, result, unit),
            "years": years,
            "trend": _trend(years, unit),
        },
    )


@require_POST
@login_required
def what_if(request, code: str, unit: str):
    participation = _participation(request.user, code, unit)
    overrides: dict[str, dict[str, str]] = {}
    errors: list[str] = []
    changed: list[tuple[str, str, str, str]] = []
    for item in _what_if_fields(participation):
        node = item["node"]
        typed = {}
        for field, current in item["fields"]:
            raw = request.POST.get(f"v-{node.code}-{field.name}", current)
            try:
                typed[field.name] = value_normalise(field, raw)
            except ValidationError as error:
                errors.extend(f"{node.code}: {m}" for m in error.messages)
                typed[field.name] = current
            if typed[field.name] != current:
                label = field.label or field.name or _("Giá trị")
                changed.append((node.code, label, current, typed[field.name]))
        overrides[node.code] = typed
    before = period_score(period=participation.period)[1]
    after = unit_preview(period=participation.period, unit_code=unit, overrides=overrides)[1]
    return render(
        request,
        "portal/what_if_result.html",
        {
            "before": before.unit(unit),
            "after": after.unit(unit),
            "changed": changed,
            "errors": errors,
        },
    )
