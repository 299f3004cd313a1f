"""A unit's scorecard, and the what-if simulator: change inputs, see the new score, band and rank;
nothing is saved."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opendti.assessments.services import indicator_fields, value_normalise
from opendti.frameworks.models import Node
from opendti.publication.selectors import ResultSource, YearReader
from opendti.results import band_detail, charts
from opendti.results.scorecard import unit_scorecard
from opendti.results.years import UnitYears, unit_years

from ..access import access_results


def _unit_results(user, code: str, unit: str) -> ResultSource:
    """The period's results as the user may read them, when the unit is in them (404 otherwise)."""
    source = access_results(user, code)
    if all(u.code != unit for u in source.scores().result.units):
        raise Http404
    return source


def _what_if_fields(source: ResultSource, unit: str) -> list[dict]:
    """The unit's own inputs, indicator by indicator, with the values the results were computed
    from (the snapshot's once approved)."""
    stored = source.unit_values(unit)
    nodes = (
        Node.objects.filter(framework=source.period.framework, source=Node.Source.SELF)
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


def _trend(years: UnitYears, unit: str, reader: YearReader):
    """The unit's total across the periods of the comparison (lineage means included), from the
    results the comparison read (oldest first, as its columns)."""
    if len(years.columns) < 2:
        return None
    series = [(c.label, reader.read[c.period][1]) for c in years.columns]
    return charts.trend_chart(series, unit, totals=[c.total for c in years.columns])


@require_GET
def scorecard(request, code: str, unit: str):
    source = _unit_results(request.user, code, unit)
    scores = source.scores()
    card = unit_scorecard(scores.assessment, scores.result, unit)
    reader = YearReader(request.user, first=source)
    years = unit_years(period=source.period, unit_code=unit, read=reader)
    return render(
        request,
        "portal/scorecard.html",
        {
            "period": source.period,
            "source": source,
            "card": card,
            "what_if": _what_if_fields(source, unit),
            "profile": charts.unit_profile_chart(scores.assessment, scores.result, unit),
            "years": years,
            "trend": _trend(years, unit, reader),
            "percent_note": band_detail.note(),
        },
    )


@require_POST
def what_if(request, code: str, unit: str):
    source = _unit_results(request.user, code, unit)
    overrides: dict[str, dict[str, str]] = {}
    errors: list[str] = []
    changed: list[tuple[str, str, str, str]] = []
    for item in _what_if_fields(source, unit):
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
    # Both sides from the same rows (the snapshot's once approved): only the changes differ.
    before = source.scores().result
    after = source.preview(unit, overrides)[1]
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
