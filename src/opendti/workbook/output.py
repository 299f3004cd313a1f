"""Scores out: the JSON document fixed by WORKBOOK.md, a CSV results table, or an XLSX workbook.

Numbers are written as decimal strings in JSON (exact, never binary floats) and as numbers in
XLSX, always with the period's decimals.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

from opendti.scoring.model import Assessment, PeriodResult

from .sheets import write_workbook


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def result_document(assessment: Assessment, result: PeriodResult) -> dict[str, object]:
    return {
        "engine_version": result.engine_version,
        "settings": {
            "title": assessment.settings.title,
            "level": assessment.settings.level,
            "year": assessment.settings.year,
            "period": assessment.settings.period,
            "decimals": assessment.settings.decimals,
            "display": assessment.settings.display,
            "not_deployed": assessment.settings.not_deployed,
            "band_on": assessment.settings.band_on,
        },
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "group": u.group,
                "ranked": u.ranked,
                "total": _s(u.total),
                "max_points": _s(u.max_points),
                "percent": _s(u.percent),
                "index": _s(u.index),
                "band": u.band,
                "percent_detail": _s(u.percent_detail),
                "rank": u.rank,
                "group_rank": u.group_rank,
                "nodes": {code: _s(score) for code, score in u.nodes.items()},
                "pillars": {
                    code: {
                        "score": _s(p.score),
                        "max_points": _s(p.max_points),
                        "percent": _s(p.percent),
                        "band": p.band,
                        "percent_detail": _s(p.percent_detail),
                        "rank": p.rank,
                        "group_rank": p.group_rank,
                    }
                    for code, p in u.pillars.items()
                },
            }
            for u in result.units
        ],
        "averages": {
            "total": _s(result.averages.total),
            "percent": _s(result.averages.percent),
            "nodes": {c: _s(v) for c, v in result.averages.nodes.items()},
            "pillars": {c: _s(v) for c, v in result.averages.pillars.items()},
        },
        "group_averages": {
            group: {"total": _s(a.total), "percent": _s(a.percent)}
            for group, a in result.group_averages.items()
        },
        "band_counts": dict(result.band_counts),
        "pillar_band_counts": {p: dict(c) for p, c in result.pillar_band_counts.items()},
        "findings": [asdict(f) for f in result.findings],
        "notes": [asdict(f) for f in result.notes],
    }


def to_json(assessment: Assessment, result: PeriodResult) -> str:
    return json.dumps(result_document(assessment, result), ensure_ascii=False, indent=2)


def _table(assessment: Assessment, result: PeriodResult) -> tuple[list[str], list[list[object]]]:
    nodes = [n.code for n in assessment.framework.nodes if n.kind in ("group", "main")]
    pillars = [p.code for p in assessment.framework.pillars]
    # percent_detail: the percent with the decimals that show why the band is what it is, where
    # the rounded percent sits on a bound the exact share does not reach (else empty).
    header = ["rank", "group_rank", "code", "name", "group", "total", "percent", "band"]
    header += ["percent_detail", *nodes]
    for p in pillars:
        header += [f"{p}_score", f"{p}_rank", f"{p}_band", f"{p}_percent_detail"]
    rows: list[list[object]] = []
    for u in sorted(result.units, key=lambda u: (u.rank is None, u.rank or 0, u.code)):
        row: list[object] = [
            u.rank,
            u.group_rank,
            u.code,
            u.name,
            u.group,
            u.total,
            u.percent,
            u.band,
            u.percent_detail,
        ]
        row += [u.nodes[c] for c in nodes]
        for p in pillars:
            pillar = u.pillars[p]
            row += [pillar.score, pillar.rank, pillar.band, pillar.percent_detail]
        rows.append(row)
    averages = result.averages
    avg_row: list[object] = ["", "", "", "Trung bình", "", averages.total, averages.percent, ""]
    avg_row += ["", *(averages.nodes[c] for c in nodes)]
    for p in pillars:
        avg_row += [averages.pillars[p], "", "", ""]
    rows.append(avg_row)
    return header, rows


def to_csv(assessment: Assessment, result: PeriodResult) -> str:
    header, rows = _table(assessment, result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue()


def write_xlsx(assessment: Assessment, result: PeriodResult, path: Path) -> None:
    header, rows = _table(assessment, result)
    sheets: dict[str, list[dict[str, object]]] = {
        "results": [dict(zip(header, row, strict=True)) for row in rows],
        "nodes": [
            {"unit": u.code, "node": code, "score": score, "max_points": u.node_max[code]}
            for u in result.units
            for code, score in u.nodes.items()
        ],
        "band_counts": [
            {"band": band, "units": count} for band, count in result.band_counts.items()
        ],
        "findings": [asdict(f) for f in result.findings],
        "notes": [asdict(f) for f in result.notes],
    }
    write_workbook(sheets, path)
