"""The report's charts as PNG images (for DOCX and PDF), drawn with matplotlib from the same
ranking tables as the report's numbers, in the web charts' colours (results.charts).

Decimals become floats only here, to place bars; every number printed in the report is text from
the tables. Agg backend (no display), DejaVu Sans (bundled with matplotlib: Vietnamese glyphs on
any machine), 150 dpi.
"""

from __future__ import annotations

import io
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from opendti import numbers
from opendti.results.charts import AVERAGE_COLOR, NO_BAND, UNIT_COLOR, band_colors, series_color
from opendti.results.multi_year import Years
from opendti.results.rankings import Table as Ranking
from opendti.scoring.model import Assessment

DPI = 150
WIDTH = 6.3  # inches: the text width of an A4 page with the decree's margins


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    pyplot.close(figure)
    return buffer.getvalue()


def _float(value: Decimal | None) -> float:
    return float(value) if value is not None else 0.0


def _vn(value: Decimal) -> str:
    return numbers.vi(value)


def ranking_png(ranking: Ranking, bands: list[str]) -> bytes:
    """Ranked units, best at the top, their totals (or shares of the maximum, where the ranking
    is by share) as horizontal bars coloured by band."""
    rows = [r for r in ranking.rows if r.rank is not None and r.score is not None]
    palette = band_colors(bands) if bands else {}
    with pyplot.rc_context({"font.family": "DejaVu Sans", "font.size": 8}):
        # Height grows with the units so names stay legible; capped for hundreds of communes.
        height = min(max(2.0, 0.22 * len(rows) + 0.8), 20.0)
        figure, axes = pyplot.subplots(figsize=(WIDTH, height))
        names = [r.name for r in rows][::-1]
        # By share where the maxima differ: the bars in the order of the ranks.
        values = [_float(r.percent if ranking.by_share else r.score) for r in rows][::-1]
        colors = [palette.get(r.band or "", NO_BAND) if bands else UNIT_COLOR for r in rows][::-1]
        axes.barh(range(len(rows)), values, color=colors)
        axes.set_yticks(range(len(rows)), names, fontsize=7 if len(rows) < 40 else 4)
        axes.set_xlabel("Tỷ lệ điểm đạt (%)" if ranking.by_share else "Tổng điểm")
        axes.spines[["top", "right"]].set_visible(False)
        if bands:
            axes.legend(
                handles=[Patch(color=palette[b], label=b) for b in bands],
                loc="lower right",
                fontsize=7,
                frameon=False,
            )
        return _png(figure)


def averages_png(ranking: Ranking, assessment: Assessment) -> bytes:
    """Each main index's average as a share of its maximum (the maxima differ, so points would
    not compare), labelled "average/maximum" in points as the tables print them."""
    maxima = {n.code: n.max_points for n in assessment.framework.nodes if n.kind == "main"}
    labels, shares, texts = [], [], []
    for column, value in zip(ranking.parts, ranking.average.parts, strict=True):
        maximum = maxima.get(column.key)
        labels.append(column.label)
        shares.append(_float(value) * 100 / float(maximum) if value is not None and maximum else 0)
        texts.append(
            f"{_vn(value)}/{_vn(maximum)}" if value is not None and maximum is not None else "—"
        )
    with pyplot.rc_context({"font.family": "DejaVu Sans", "font.size": 8}):
        figure, axes = pyplot.subplots(figsize=(WIDTH, max(2.0, 0.3 * len(labels) + 0.8)))
        positions = range(len(labels))
        axes.barh(positions, [100] * len(labels), color="#eeeeee")
        bars = axes.barh(positions, shares, color=AVERAGE_COLOR)
        axes.bar_label(bars, labels=texts, padding=3, fontsize=7)
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 110)
        axes.set_xlabel("% điểm tối đa")
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)


def multi_year_png(years: Years) -> bytes:
    """Each group's average across the years, one line per group (results.multi_year); a year
    without the group is a gap."""
    with pyplot.rc_context({"font.family": "DejaVu Sans", "font.size": 8}):
        figure, axes = pyplot.subplots(figsize=(WIDTH, 3.0))
        positions = range(len(years.labels))
        for index, (code, name) in enumerate(years.groups):
            values = [float(v) if v is not None else float("nan") for v in years.averages[code]]
            axes.plot(
                positions,
                values,
                marker="o",
                color=series_color(index),
                label=name or "Tất cả đơn vị",
            )
        axes.set_xticks(positions, list(years.labels))
        axes.set_ylabel("Điểm trung bình")
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(fontsize=7, frameon=False)
        return _png(figure)
