"""Chart data built from the engine's output only: the ranking by band, the main-index comparison,
a unit's profile, its trend across periods and the band distribution. No queries here.

Each function returns a plain dict ready for `json_script` and the `portal/charts/chart.html`
partial:

    {"title": str, "labels": [str], "datasets": [{"label", "values", "color", "colors"}],
     "table": {"header": [str], "rows": [[str]], "row_header": int}, ...}

`row_header` is the column that names each row. Optional keys: `legend` (label and colour of
each band, where one dataset is coloured per value), `value_label` (the value axis), `max` (its
expected top) and `integer` (whole numbers only).

Numbers travel as the text of the engine's exact Decimals ("685.21"), never as binary floats; the
browser parses them only to draw. A value that does not exist (an index that does not apply, a
unit absent from a period) is None, drawn as a gap and shown as "—" in the table. The table holds
the same numbers as the chart, for people who cannot see the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from opendti import numbers
from opendti.scoring.model import Assessment, Node, PeriodResult, UnitResult
from opendti.scoring.rounding import ratio

from .multi_year import Years
from .year_on_year import GroupYearOnYear

ChartData = dict[str, Any]

MISSING = "—"
# Bands, best first: blue to red (ColorBrewer RdBu, safe for the common colour-blindnesses). A
# scheme of n bands takes n evenly spaced stops, so the best band is always the first colour and
# the worst always the last.
BAND_PALETTE = ("#2166ac", "#4393c3", "#92c5de", "#f4a582", "#d6604d", "#b2182b")
NO_BAND = "#8a8f98"
# Series (one per unit): Okabe-Ito, distinguishable by colour-blind readers; repeats past eight.
SERIES_PALETTE = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7a6a00", "#000000",
)  # fmt: skip
UNIT_COLOR = "#1a5fb4"
AVERAGE_COLOR = "#8a8f98"
BEST_COLOR = "#1e6b2f"


def number(value: Decimal | int | None) -> str | None:
    """A number as its exact text, never in exponent form (Decimal('1E+2') is '100')."""
    if value is None:
        return None
    return str(value) if isinstance(value, int) else numbers.fixed(value, 0)


def cell(value: str | None) -> str:
    """A value as a person reads it in the chart's table and tooltip (1.234,5; — when none)."""
    return MISSING if value is None else numbers.vi(Decimal(value))


def band_colors(bands: Sequence[str]) -> dict[str, str]:
    """A colour per band label, from the fixed palette by the band's place (best first)."""
    n = len(bands)
    last = len(BAND_PALETTE) - 1
    return {
        band: BAND_PALETTE[round(i * last / (n - 1)) if n > 1 else 0]
        for i, band in enumerate(bands)
    }


def series_color(index: int) -> str:
    return SERIES_PALETTE[index % len(SERIES_PALETTE)]


def _dataset(
    label: str, values: list[str | None], color: str, colors: list[str] | None = None
) -> dict[str, Any]:
    return {
        "label": label,
        "values": values,  # exact decimal text with a dot, for drawing
        "texts": [None if v is None else cell(v) for v in values],  # for people: tooltips
        "color": color,
        "colors": colors if colors is not None else [color] * len(values),
    }


def main_indices(assessment: Assessment) -> list[Node]:
    """The scored main indices, in the framework's order."""
    return [n for n in assessment.framework.nodes if n.kind == "main" and n.scored]


# --- ranking ------------------------------------------------------------------------------------


def ranking_chart(
    result: PeriodResult,
    *,
    bands: Sequence[str],
    group: str | None = None,
    group_name: str = "",
    only: set[str] | None = None,
) -> ChartData:
    """Ranked units in rank order (overall, or within `group`, named `group_name`), coloured by
    band: their totals, or their share of the applicable maximum where the maxima differ (the
    order the engine ranks in then, rankings.ranks_by_share).

    `bands` are the total scheme's labels, best first. Units that take part without being ranked
    are left out: a ranking chart shows the ranking. With `only`, just those units (a page of a
    long ranking), named so in the title.
    """
    ranked: list[tuple[int, UnitResult]] = []
    for u in result.units:
        rank = u.rank if group is None else u.group_rank
        in_group = group is None or u.group == group
        if rank is not None and in_group and (only is None or u.code in only):
            ranked.append((rank, u))
    ranked.sort(key=lambda pair: pair[0])  # stable: equal ranks keep the engine's order
    units = [u for _rank, u in ranked]
    palette = band_colors(bands)
    colors = [palette.get(u.band, NO_BAND) if u.band else NO_BAND for u in units]
    totals = [number(u.total) for u in units]
    by_share = len({u.max_points for u in units}) > 1
    group_part = f" · {_('nhóm')} {group_name or group}" if group else ""
    if only is not None:
        group_part += " · " + _("các đơn vị trên trang này")
    legend = [{"label": band, "color": palette[band]} for band in bands]
    if by_share:
        percents = [number(u.percent) for u in units]
        return {
            "title": _("Xếp hạng theo tỷ lệ điểm đạt (tổng điểm / điểm tối đa áp dụng)")
            + group_part,
            "labels": [u.name for u in units],
            "datasets": [_dataset(_("Tỷ lệ điểm đạt (%)"), percents, UNIT_COLOR, colors)],
            "legend": legend,
            "value_label": "%",
            "table": {
                "header": [
                    _("Xếp hạng"),
                    _("Cơ quan, đơn vị"),
                    _("Tỷ lệ điểm đạt (%)"),
                    _("Tổng điểm"),
                    _("Điểm tối đa áp dụng"),
                    _("Mức xếp loại"),
                ],
                "row_header": 1,
                "rows": [
                    [
                        str(rank),
                        u.name,
                        cell(percent),
                        cell(total),
                        cell(number(u.max_points)),
                        u.band or MISSING,
                    ]
                    for (rank, u), percent, total in zip(ranked, percents, totals, strict=True)
                ],
            },
        }
    return {
        "title": _("Xếp hạng theo tổng điểm") + group_part,
        "labels": [u.name for u in units],
        "datasets": [_dataset(_("Tổng điểm"), totals, UNIT_COLOR, colors)],
        "legend": legend,
        "value_label": _("Điểm"),
        "table": {
            "header": [_("Xếp hạng"), _("Cơ quan, đơn vị"), _("Tổng điểm"), _("Mức xếp loại")],
            "row_header": 1,  # the unit's name names the row
            "rows": [
                [str(rank), u.name, cell(total), u.band or MISSING]
                for (rank, u), total in zip(ranked, totals, strict=True)
            ],
        },
    }


# --- main indices across units ------------------------------------------------------------------


def main_index_chart(
    assessment: Assessment, result: PeriodResult, *, only: set[str] | None = None
) -> ChartData:
    """Per main index, each unit's score (points), beside the period's average. With `only`,
    just those units (a page of a long ranking), named so in the title."""
    nodes = main_indices(assessment)
    units = [u for u in result.units if only is None or u.code in only]
    datasets = [
        _dataset(u.name, [number(u.nodes.get(n.code)) for n in nodes], series_color(i))
        for i, u in enumerate(units)
    ]
    average = [number(result.averages.nodes.get(n.code)) for n in nodes]
    datasets.append(_dataset(_("Trung bình"), average, AVERAGE_COLOR))
    title = _("Điểm các chỉ số chính theo đơn vị")
    if only is not None:
        title += " · " + _("các đơn vị trên trang này")
    return {
        "title": title,
        "labels": [n.name for n in nodes],
        "datasets": datasets,
        "value_label": _("Điểm"),
        # One row per unit, as the province reports print it; the columns are the chart's labels.
        "table": {
            "row_header": 0,
            "header": [
                _("Cơ quan, đơn vị"),
                *(f"{n.name} ({number(n.max_points)})" for n in nodes),
            ],
            "rows": [[d["label"], *(cell(v) for v in d["values"])] for d in datasets],
        },
    }


# --- one unit's profile -------------------------------------------------------------------------


def _percent(score: Decimal | None, max_points: Decimal | None, decimals: int) -> Decimal | None:
    if score is None or not max_points:
        return None
    return ratio(score, max_points, decimals)


def unit_profile_chart(assessment: Assessment, result: PeriodResult, unit_code: str) -> ChartData:
    """The unit's main-index scores as % of each index's max, against the average and the best.

    The best is the highest share of the max among all units scored on the index; the average is
    the engine's average points over the index's max.
    """
    decimals = assessment.settings.decimals
    nodes = main_indices(assessment)
    unit = result.unit(unit_code)
    own: list[str | None] = []
    average: list[str | None] = []
    best: list[str | None] = []
    for node in nodes:
        own.append(
            number(_percent(unit.nodes.get(node.code), unit.node_max.get(node.code), decimals))
        )
        average.append(
            number(_percent(result.averages.nodes.get(node.code), node.max_points, decimals))
        )
        shares = [
            share
            for u in result.units
            if (share := _percent(u.nodes.get(node.code), u.node_max.get(node.code), decimals))
            is not None
        ]
        best.append(number(max(shares)) if shares else None)
    datasets = [
        _dataset(unit.name, own, UNIT_COLOR),
        _dataset(_("Trung bình"), average, AVERAGE_COLOR),
        _dataset(_("Cao nhất"), best, BEST_COLOR),
    ]
    return {
        "title": _("Hồ sơ chỉ số chính của %(unit)s (%% điểm tối đa)") % {"unit": unit.name},
        "labels": [n.name for n in nodes],
        "datasets": datasets,
        "value_label": _("% điểm tối đa"),
        "max": "100",
        "table": {
            "row_header": 0,
            "header": [_("Chỉ số chính"), *(d["label"] for d in datasets)],
            "rows": [
                [node.name, *(cell(d["values"][i]) for d in datasets)]
                for i, node in enumerate(nodes)
            ],
        },
    }


# --- band distribution --------------------------------------------------------------------------


def band_distribution_chart(result: PeriodResult, bands: Sequence[str]) -> ChartData:
    """How many units fall in each band (the engine's counts), best band first."""
    palette = band_colors(bands)
    counts = [number(result.band_counts.get(band, 0)) for band in bands]
    colors = [palette[band] for band in bands]
    return {
        "title": _("Số đơn vị theo mức xếp loại"),
        "labels": list(bands),
        "datasets": [_dataset(_("Số đơn vị"), counts, UNIT_COLOR, colors)],
        "value_label": _("Số đơn vị"),
        "integer": True,  # counts: no fractional ticks
        "table": {
            "row_header": 0,
            "header": [_("Mức xếp loại"), _("Số đơn vị")],
            "rows": [[band, cell(count)] for band, count in zip(bands, counts, strict=True)],
        },
    }


# --- trend across periods -----------------------------------------------------------------------


def _find(result: PeriodResult, unit_code: str) -> UnitResult | None:
    try:
        return result.unit(unit_code)
    except KeyError:
        return None


def trend_chart(
    series: Sequence[tuple[str, PeriodResult]],
    unit_code: str,
    *,
    totals: Sequence[Decimal | None] | None = None,
) -> ChartData:
    """The unit's total in each period (None where it took no part), beside each period's average.

    `series` is (period label, result), oldest first. A unit is followed by its code, unless the
    caller gives its `totals` (e.g. the mean of its predecessors before a merger).
    """
    found = [(label, _find(result, unit_code)) for label, result in series]
    names = [u.name for _label, u in found if u is not None]
    name = names[-1] if names else unit_code
    shown = (
        [number(t) for t in totals]
        if totals is not None
        else [number(u.total) if u is not None else None for _label, u in found]
    )
    totals_text = shown
    average = [number(result.averages.total) for _label, result in series]
    datasets = [
        _dataset(name, totals_text, UNIT_COLOR),
        _dataset(_("Trung bình"), average, AVERAGE_COLOR),
    ]
    return {
        "title": _("Tổng điểm của %(unit)s qua các kỳ") % {"unit": name},
        "labels": [label for label, _result in series],
        "datasets": datasets,
        "value_label": _("Tổng điểm"),
        "table": {
            "row_header": 0,
            "header": [_("Kỳ đánh giá"), *(d["label"] for d in datasets)],
            "rows": [
                [label, *(cell(d["values"][i]) for d in datasets)]
                for i, (label, _result) in enumerate(series)
            ],
        },
    }


# --- the change against the previous year -------------------------------------------------------


def year_on_year_chart(groups: Sequence[GroupYearOnYear]) -> ChartData:
    """Each ranking group's average last year beside this year's (seed 004 draws the two years'
    averages), from results.year_on_year: the same numbers as its sentences."""
    labels = [g.name if g.group else _("Tất cả đơn vị") for g in groups]
    datasets = [
        _dataset(_("Năm trước"), [number(g.previous_average) for g in groups], AVERAGE_COLOR),
        _dataset(_("Năm nay"), [number(g.average) for g in groups], UNIT_COLOR),
    ]
    return {
        "title": _("Điểm trung bình so với năm trước"),
        "labels": labels,
        "datasets": datasets,
        "value_label": _("Điểm"),
        "table": {
            "row_header": 0,
            "header": [_("Nhóm"), _("Năm trước"), _("Năm nay"), _("Thay đổi (điểm)")],
            "rows": [
                [
                    label,
                    cell(number(g.previous_average)),
                    cell(number(g.average)),
                    numbers.vi(g.change, signed=True),
                ]
                for label, g in zip(labels, groups, strict=True)
            ],
        },
    }


def multi_year_chart(years: Years) -> ChartData:
    """Each ranking group's average in every year (results.multi_year), oldest first."""
    datasets = [
        _dataset(
            name or _("Tất cả đơn vị"),
            [number(v) for v in years.averages[code]],
            series_color(index),
        )
        for index, (code, name) in enumerate(years.groups)
    ]
    return {
        "title": _("Điểm trung bình của các nhóm qua các năm"),
        "labels": list(years.labels),
        "datasets": datasets,
        "value_label": _("Điểm trung bình"),
        "table": {
            "row_header": 0,
            "header": [_("Kỳ đánh giá"), *(d["label"] for d in datasets)],
            "rows": [
                [label, *(cell(d["values"][i]) for d in datasets)]
                for i, label in enumerate(years.labels)
            ],
        },
    }
