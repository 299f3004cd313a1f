"""Open data: each published period's results as a CSV table and a JSON document, and the ranking
chart of the embeddable page, built from the period's snapshot only (never the live tables).

Only published periods exist here (`published_snapshot`): what was approved but not published, what
is still being assessed, and an unknown code are all the same "nothing" to the caller, which answers
404 to everyone. Numbers are written as exact decimal text with a dot (Decimal, never float), with
the period's decimals; ranks are integers. docs/open-data.md documents every column and field.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.cells import csv_row
from opendti.core.vietnamese import sort_key
from opendti.numbers import plain
from opendti.periods.models import Period
from opendti.periods.names import group_choices, group_names
from opendti.results import source
from opendti.results.charts import ChartData, ranking_chart
from opendti.results.levels import period_classification
from opendti.results.services import scores_year_on_year
from opendti.results.source import PeriodScores
from opendti.results.targets import period_progress
from opendti.results.year_on_year import group_sentences
from opendti.scoring.model import Assessment, BandScheme, PeriodResult, UnitResult

from .models import Snapshot
from .selectors import published_periods
from .services import published_snapshot

# Bump when a column or a field changes meaning or goes away (adding one does not).
FORMAT_VERSION = 1

UNIT_COLUMNS = (
    "unit_code",
    "unit_name",
    "ranking_group",
    "ranking_group_name",
    "ranked",
    "total",
    "max_points",
    "percent",
    "index",
    "band",
    "rank",
    "group_rank",
    "percent_detail",
)


def published(code: str) -> Snapshot | None:
    """The published snapshot of the period `code`; None for an unknown or unpublished period."""
    period = Period.objects.select_related("framework__level").filter(code=code).first()
    if period is None:
        return None
    snapshot = published_snapshot(period)
    if snapshot is not None:
        snapshot.period = period  # already loaded: spares the readers below a query
    return snapshot


def catalogue() -> list[Snapshot]:
    """Every published period's snapshot, newest year first (the open-data index)."""
    return published_periods()


# --- numbers ------------------------------------------------------------------------------------


def fixed(value: Decimal | None, decimals: int) -> str | None:
    """A Decimal as exact text with `decimals` places and a dot ("1000" -> "1000.00").

    Only zeros are ever added: a value with more places than the period's (none is expected from
    the engine) keeps them all rather than being rounded here."""
    return numbers.fixed(value, decimals)


def exact(value: Decimal | None) -> str | None:
    """A Decimal as the engine computed it (the 0–1 index keeps its four places)."""
    return numbers.fixed(value, 0)


def ranking_order(result: PeriodResult) -> list[UnitResult]:
    """Ranked units by rank (equal ranks by name, as the ranking page), the unranked last."""
    return sorted(
        result.units, key=lambda u: (u.rank is None, u.rank or 0, sort_key(u.name), u.code)
    )


def _mains(assessment: Assessment) -> list[str]:
    return [n.code for n in assessment.framework.nodes if n.kind == "main"]


def main_column(code: str) -> str:
    """The CSV column of a main index: its code, unless that would repeat a unit column."""
    return f"node_{code}" if code in UNIT_COLUMNS else code


# --- CSV ----------------------------------------------------------------------------------------


def _frozen_scores(snapshot: Snapshot) -> PeriodScores:
    scores = source.frozen_scores(snapshot.period, snapshot)
    assert scores is not None  # a snapshot is always read as one
    return scores


def csv_table(snapshot: Snapshot) -> tuple[list[str], list[list[str]]]:
    """Header and one row per unit in ranking order; empty cells for what does not exist."""
    scores = _frozen_scores(snapshot)
    assessment, result = scores.assessment, scores.result
    decimals = assessment.settings.decimals
    mains = _mains(assessment)
    pillars = [p.code for p in assessment.framework.pillars]
    header = [*UNIT_COLUMNS, *(main_column(c) for c in mains)]
    for code in pillars:
        header += [f"{code}_score", f"{code}_rank"]
    group_name = group_names(snapshot.period, {u.group for u in result.units})
    rows = []
    for u in ranking_order(result):
        row: list[str | int | None] = [
            u.code,
            u.name,
            u.group,
            group_name.get(u.group, ""),
            "yes" if u.ranked else "no",
            fixed(u.total, decimals),
            fixed(u.max_points, decimals),
            fixed(u.percent, decimals),
            exact(u.index),
            u.band,
            u.rank,
            u.group_rank,
            exact(u.percent_detail),
        ]
        row += [fixed(u.nodes.get(c), decimals) for c in mains]
        for code in pillars:
            pillar = u.pillars.get(code)
            row += [fixed(pillar.score, decimals), pillar.rank] if pillar else [None, None]
        rows.append(["" if v is None else str(v) for v in row])
    return header, rows


def csv_bytes(snapshot: Snapshot) -> bytes:
    """The CSV file: UTF-8 with a byte-order mark, so that Excel reads Vietnamese correctly."""
    header, rows = csv_table(snapshot)
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: CRLF line ends, quotes only where needed
    writer.writerow(csv_row(header))
    writer.writerows(csv_row(row) for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- JSON ---------------------------------------------------------------------------------------


def _bands(scheme: BandScheme | None) -> list[dict[str, Any]]:
    if scheme is None:
        return []
    return [
        {
            "label": b.label,
            "lower": exact(b.lower),
            "lower_inclusive": b.lower_inclusive,
            "basis": scheme.basis,
        }
        for b in scheme.bands
    ]


def _unit(u: UnitResult, decimals: int, group_name: dict[str, str]) -> dict[str, Any]:
    return {
        "code": u.code,
        "name": u.name,
        "group": u.group,
        "group_name": group_name.get(u.group, ""),
        "ranked": u.ranked,
        "total": fixed(u.total, decimals),
        "max_points": fixed(u.max_points, decimals),
        "percent": fixed(u.percent, decimals),
        "index": exact(u.index),
        "band": u.band,
        "percent_detail": exact(u.percent_detail),
        "rank": u.rank,
        "group_rank": u.group_rank,
        "nodes": {code: fixed(score, decimals) for code, score in u.nodes.items()},
        "pillars": {
            code: {
                "score": fixed(p.score, decimals),
                "max_points": fixed(p.max_points, decimals),
                "percent": fixed(p.percent, decimals),
                "band": p.band,
                "percent_detail": exact(p.percent_detail),
                "rank": p.rank,
                "group_rank": p.group_rank,
            }
            for code, p in u.pillars.items()
        },
    }


def json_document(snapshot: Snapshot) -> dict[str, Any]:
    """The period's published results as one document (keys in a fixed order)."""
    scores = _frozen_scores(snapshot)
    assessment, result = scores.assessment, scores.result
    settings = assessment.settings
    decimals = settings.decimals
    period = snapshot.period
    framework = assessment.framework
    averages = result.averages
    publication = snapshot.publication
    group_name = group_names(period, {u.group for u in result.units})
    return {
        "format_version": FORMAT_VERSION,
        "period": {
            "code": period.code,
            # As approved: the title and level the snapshot froze, not today's labels.
            "title": settings.title or period.title,
            "year": period.year,
            "level": settings.level,
            "level_name": period.framework.level.name,
            "framework_code": period.framework.code,
            "framework_version": period.framework.version,
            "decimals": decimals,
            "display": settings.display,
            "not_deployed": settings.not_deployed,
            "band_on": settings.band_on,
        },
        # A quarter published by the coordinator has no decision (docs/open-data.md).
        "decision": {
            "number": snapshot.decision_number,
            "date": snapshot.issued_on.isoformat(),
            "signer": snapshot.signer,
        }
        if snapshot.has_decision
        else None,
        "published_at": timezone.localtime(publication.published_at).isoformat(),
        "snapshot": {
            "rows_sha256": snapshot.rows_sha256,
            "document_sha256": snapshot.document_sha256,
            "engine_version": snapshot.engine_version,
        },
        "nodes": [
            {
                "code": n.code,
                "name": n.name,
                "kind": n.kind,
                "max_points": fixed(n.max_points, decimals),
                "parent": n.parent,
                "pillars": list(n.pillars),
            }
            for n in framework.nodes
        ],
        "pillars": [{"code": p.code, "name": p.name} for p in framework.pillars],
        "bands": _bands(framework.total_bands),
        "pillar_bands": _bands(framework.pillar_bands),
        "ranking_groups": [{"code": c, "name": n} for c, n in group_name.items()],
        "units": [_unit(u, decimals, group_name) for u in ranking_order(result)],
        "averages": {
            "total": fixed(averages.total, decimals),
            "percent": fixed(averages.percent, decimals),
            "nodes": {c: fixed(v, decimals) for c, v in averages.nodes.items()},
            "pillars": {c: fixed(v, decimals) for c, v in averages.pillars.items()},
            "groups": {
                group: {"total": fixed(a.total, decimals), "percent": fixed(a.percent, decimals)}
                for group, a in result.group_averages.items()
            },
        },
        "band_counts": dict(result.band_counts),
        # Where the numbers a unit stated do not add up (the results use the sum of the parts).
        "findings": [
            {
                "unit": f.unit,
                "node": f.node,
                "kind": f.kind,
                "expected": f.expected,
                "found": f.found,
                "difference": f.difference,
            }
            for f in result.findings
        ],
        # Informational values a unit did not give (asked for, never counted).
        "notes": [{"unit": f.unit, "node": f.node, "kind": f.kind} for f in result.notes],
        # Against the previous period's approved results, as the ranking's change column is.
        "year_on_year": _year_on_year(period, scores, decimals),
        # The period's targets and each unit's progress (results.targets), and the component
        # indicators by level (results.levels); both are locked once the period is published.
        "targets": _targets(period, scores),
        "component_levels": _levels(period, scores),
    }


def _targets(period: Period, scores: PeriodScores) -> list[dict[str, Any]]:
    progress = period_progress(period, scores.assessment, scores.result)
    return [
        {
            "unit": line.unit,
            "set_for": line.scope,
            "subject": line.subject,
            "node": line.node or None,  # None: the total
            "measure": line.measure,
            "value": plain(line.value),
            "actual": exact(line.actual),
            "reached": line.reached,
            "short": plain(line.short) if line.short is not None else None,
        }
        for line in progress.lines
    ]


def _levels(period: Period, scores: PeriodScores) -> dict[str, Any] | None:
    found = period_classification(period, scores.assessment, scores.result)
    if not found.overall.total:
        return None  # no component indicators
    bounds = found.thresholds
    return {
        "thresholds": {"good": plain(bounds.good), "fair": plain(bounds.fair)} if bounds else None,
        "units": {code: dict(c.counts) for code, c in found.units.items()},
        "groups": {code: dict(c.counts) for code, c in found.groups.items()},
    }


def _year_on_year(period: Period, scores: PeriodScores, decimals: int) -> dict[str, Any] | None:
    statistics = scores_year_on_year(period=period, scores=scores)
    if statistics is None or period.previous_id is None:
        return None
    previous = Period.objects.filter(pk=period.previous_id).values_list("code", flat=True).first()
    with translation.override("vi"):  # the open data's sentences are the province's, in Vietnamese
        groups = [(g, group_sentences(g)) for g in statistics.groups]
    return {
        "previous_period": previous,
        "groups": [
            {
                "group": g.group,
                "name": g.name,
                "previous_average": fixed(g.previous_average, decimals),
                "average": fixed(g.average, decimals),
                "change": fixed(g.change, decimals),
                "percent_change": exact(g.percent_change),
                "units": g.units,
                "previous_units": g.previous_units,
                "band_counts": dict(g.band_counts),
                "previous_band_counts": dict(g.previous_band_counts),
                "transitions": [{"from": a, "to": b, "count": n} for a, b, n in g.transitions],
                "new_units": [m.unit for m in g.moves if m.via != "same"],
                "gone_units": list(g.gone_units),
                "most_improved": list(g.most_improved),
                "most_change": fixed(g.most_change, decimals),
                "least_improved": list(g.least_improved),
                "least_change": fixed(g.least_change, decimals),
                "band_changes": [
                    {
                        "unit": m.unit,
                        "from": m.previous_band,
                        "to": m.band,
                        "change": fixed(m.change, decimals),
                    }
                    for m in g.band_changes
                ],
                "sentences": sentences,
            }
            for g, sentences in groups
        ],
    }


def json_bytes(snapshot: Snapshot) -> bytes:
    text = json.dumps(json_document(snapshot), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


# --- the embeddable ranking chart ---------------------------------------------------------------


@dataclass(frozen=True)
class Embed:
    chart: ChartData
    groups: list[tuple[str, str]]  # (code, name)
    group: str | None
    top: int | None


def ranking_groups(result: PeriodResult) -> list[str]:
    return sorted({u.group for u in result.units if u.group})


def embed_chart(snapshot: Snapshot, *, group: str | None = None, top: int | None = None) -> Embed:
    """The ranking bar chart coloured by band, overall or within one ranking group, optionally
    only the first `top` ranks (units tied at the last rank shown are all kept). An unknown group
    or a count below one is ignored: the full ranking is shown."""
    scores = _frozen_scores(snapshot)
    groups = group_choices(snapshot.period, ranking_groups(scores.result))
    if group not in dict(groups):
        group = None
    if top is not None and top < 1:
        top = None
    scheme = scores.assessment.framework.total_bands
    bands = [b.label for b in scheme.bands] if scheme else []
    chart = ranking_chart(
        scores.result, bands=bands, group=group, group_name=dict(groups).get(group or "", "")
    )
    if top is not None:
        chart = first_ranks(chart, top)
    return Embed(chart=chart, groups=groups, group=group, top=top)


def first_ranks(chart: ChartData, top: int) -> ChartData:
    """A ranking chart cut to the units ranked 1..top (its table's first column is the rank)."""
    rows: Sequence[Sequence[str]] = chart["table"]["rows"]
    keep = sum(1 for row in rows if int(row[0]) <= top)
    if keep == len(rows):
        return chart
    return {
        **chart,
        "title": _("%(title)s · %(n)d hạng đầu") % {"title": chart["title"], "n": top},
        "labels": chart["labels"][:keep],
        "datasets": [
            {**d, "values": d["values"][:keep], "colors": d["colors"][:keep]}
            for d in chart["datasets"]
        ],
        "table": {**chart["table"], "rows": list(rows[:keep])},
    }
