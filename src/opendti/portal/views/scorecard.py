"""A unit's scorecard, and the what-if simulator: change inputs, see the new score, band and rank;
nothing is saved."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from opendti.assessments.forms import (
    IndicatorForm,
    field_key,
    label_of,
    stored_value,
    value_display,
)
from opendti.assessments.services import indicator_fields
from opendti.frameworks.models import Node
from opendti.periods.names import group_names
from opendti.publication.selectors import ResultSource, YearReader
from opendti.results import band_detail, charts
from opendti.results.access import can_view_raw_inputs, reads_scorecard_as_public
from opendti.results.levels import level_rows, period_classification, thresholds_text
from opendti.results.quarters import unit_quarters
from opendti.results.scorecard import unit_scorecard
from opendti.results.targets import period_progress
from opendti.results.years import UnitYears, unit_years

from .. import published
from ..access import access_results

RELATIVE = "relative"


def _unit_results(user, code: str, unit: str) -> ResultSource:
    """The period's results as the user may read them, when the unit is in them (404 otherwise)."""
    source = access_results(user, code)
    if all(u.code != unit for u in source.scores().result.units):
        raise Http404
    return source


def _what_if_nodes(source: ResultSource, shown: bool) -> list[Node]:
    """The unit's own indicators with inputs. Without the raw inputs, those scored against the
    other units (relative rules) are left out: trying values there would reveal theirs."""
    nodes = (
        Node.objects.filter(framework=source.period.framework, source=Node.Source.SELF)
        .exclude(rule="")
        .prefetch_related("inputs")
    )
    return [n for n in nodes if n.inputs.all() and (shown or n.rule != RELATIVE)]


def _stored(source: ResultSource, unit: str, shown: bool) -> dict[tuple[str, str], str]:
    """The values the results were computed from (the snapshot's once approved), when the user
    may see them; nothing otherwise (the form starts empty)."""
    return source.unit_values(unit) if shown else {}


def _what_if_fields(source: ResultSource, unit: str, shown: bool) -> list[dict]:
    stored = _stored(source, unit, shown)
    items = []
    for node in _what_if_nodes(source, shown):
        current = {f.name: stored.get((node.code, f.name), "") for f in indicator_fields(node)}
        items.append({"node": node, "fields": IndicatorForm(node, current=current).boxes()})
    return items


def _trend(years: UnitYears, unit: str, reader: YearReader):
    """The unit's total across the periods of the comparison (lineage means included), from the
    results the comparison read (oldest first, as its columns)."""
    if len(years.columns) < 2:
        return None
    series = [(c.label, reader.read[c.period][1]) for c in years.columns]
    return charts.trend_chart(series, unit, totals=[c.total for c in years.columns])


@require_GET
def scorecard(request, code: str, unit: str):
    """A published scorecard is kept rendered (portal/published.py) and served to everyone who
    reads it as the public: not to those who may see provisional years or the unit's inputs."""

    served = published.serve(
        request,
        code,
        view=f"scorecard:{unit}",
        render=lambda public, _snapshot: _scorecard(public, code, unit),
        reads_as_public=lambda user, snapshot: reads_scorecard_as_public(
            user, snapshot.period, unit
        ),
        keep=not request.GET,
    )
    return served if served is not None else _scorecard(request, code, unit)


def _scorecard(request, code: str, unit: str):
    source = _unit_results(request.user, code, unit)
    shown = can_view_raw_inputs(request.user, source.period, unit)
    scores = source.scores()
    card = unit_scorecard(scores.assessment, scores.result, unit)
    reader = YearReader(request.user, first=source)
    years = unit_years(period=source.period, unit_code=unit, read=reader)
    classification = period_classification(source.period, scores.assessment, scores.result)
    group = scores.result.unit(unit).group
    return render(
        request,
        "portal/scorecard.html",
        {
            "period": source.period,
            "source": source,
            "card": card,
            "what_if": _what_if_fields(source, unit, shown),
            "raw_inputs_shown": shown,
            "profile": charts.unit_profile_chart(scores.assessment, scores.result, unit),
            "years": years,
            "trend": _trend(years, unit, reader),
            "percent_note": band_detail.note(),
            # The quarters of the year beside the year (a period of a year assessed quarterly).
            "quarters": unit_quarters(period=source.period, unit_code=unit, read=reader),
            # Progress against the period's targets (results.targets), and the unit's component
            # indicators by level beside its group's (results.levels).
            "targets": period_progress(source.period, scores.assessment, scores.result).for_unit(
                unit
            ),
            "level_columns": classification.columns(),
            "level_rows": level_rows(
                classification,
                [(unit, card.unit.name)],
                [(group, group_names(source.period, [group])[group])] if group else [],
            ),
            "levels_text": thresholds_text(classification.thresholds),
        },
    )


# Nothing is saved and the answer goes only to the page that asked (a page on another site cannot
# read it): no CSRF token needed, so a published scorecard needs none and is kept without one.
@csrf_exempt
@require_POST
def what_if(request, code: str, unit: str):
    source = _unit_results(request.user, code, unit)
    shown = can_view_raw_inputs(request.user, source.period, unit)
    stored = _stored(source, unit, shown)
    overrides: dict[str, dict[str, str]] = {}
    errors: list[str] = []
    changed: list[tuple[str, str, str, str]] = []
    for node in _what_if_nodes(source, shown):
        fields = indicator_fields(node)
        current = {f.name: stored.get((node.code, f.name), "") for f in fields}
        keys = {f.name: field_key(node, f.name) for f in fields}
        if not shown:
            # Only what the user typed, and only whole indicators: the unit's own values stay
            # on the server (its published score stands for the rest).
            typed = [f for f in fields if request.POST.get(keys[f.name], "").strip()]
            if not typed:
                continue
            if len(typed) < len(fields):
                errors.append(
                    _("%(code)s: nhập đủ các đầu vào của chỉ số để mô phỏng.") % {"code": node.code}
                )
                continue
        # A box not sent keeps the value the results were computed from.
        data = {
            keys[f.name]: request.POST[keys[f.name]]
            if keys[f.name] in request.POST
            else stored_value(f, current[f.name])
            for f in fields
        }
        form = IndicatorForm(node, data)
        if not form.is_valid():
            errors.extend(f"{node.code}: {m}" for m in form.messages())
            continue
        typed_values = form.values()
        for f in fields:
            if shown and typed_values[f.name] == current[f.name]:
                continue
            old = value_display(f, current[f.name]) if shown else ""
            changed.append((node.code, label_of(f), old, value_display(f, typed_values[f.name])))
        overrides[node.code] = typed_values
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
            "shown": shown,
        },
    )
