"""Reads that turn a period in the database into the assessment workbook's rows and the engine's
input. The workbook parser is the one path from rows to engine input, for files and database alike.
"""

from __future__ import annotations

import hashlib
import json

from opendti.assessments.models import AppraisedScore, GivenScore, InputValue
from opendti.frameworks.models import Node
from opendti.numbers import plain
from opendti.periods.models import Participation, Period
from opendti.scoring.model import Assessment
from opendti.units.models import Lineage
from opendti.workbook.parse import ParsedWorkbook, parse_workbook
from opendti.workbook.sheets import raw_from_rows

Rows = dict[str, list[dict[str, str]]]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def period_rows(period: Period, *, appraised: bool = True) -> Rows:
    """The period as workbook rows. With `appraised`, the scores the appraisal settled replace
    computed ones (the final results); without, the units' own scores (self-assessment)."""
    framework = period.framework
    nodes = list(
        Node.objects.filter(framework=framework)
        .select_related("parent")
        .prefetch_related("pillars")
    )
    not_deployed = set(period.not_deployed.values_list("pk", flat=True))
    settings = {
        "title": period.title,
        "level": framework.level.code,
        "year": str(period.year),
        "period": period.label,
        "total_max": plain(framework.total_max),
        "decimals": str(period.decimals),
        "display": period.display,
        "not_deployed": period.not_deployed_policy,
        # Always written, default or not: a frozen snapshot then says how it was classified.
        "band_on": period.band_on,
    }
    rows: Rows = {
        "settings": [{"key": k, "value": v} for k, v in settings.items() if v != ""],
        "pillars": [{"code": p.code, "name": p.name} for p in framework.pillars.all()],
        "framework": [
            {
                "code": n.code,
                "parent": n.parent.code if n.parent else "",
                "name": n.name,
                "kind": n.kind,
                "max_points": plain(n.max_points),
                "pillars": ";".join(p.code for p in sorted(n.pillars.all(), key=lambda p: p.order)),
                "scored": _yes(n.scored),
                "rule": n.rule,
                "params": n.params if n.rule else "",
                "applies_to": ";".join(n.applies_to),
                "deployed": "no" if n.pk in not_deployed else "",
                "guidance": n.guidance,
                "evidence_required": "yes" if n.evidence_required else "",
                "source": n.source if n.source != Node.Source.SELF else "",
                "verifier": n.verifier,
            }
            for n in nodes
        ],
        "bands": [
            {
                "scheme": scheme.scope,
                "label": band.label,
                "basis": scheme.basis,
                "lower": plain(band.lower),
                "lower_inclusive": _yes(band.lower_inclusive) if band.lower is not None else "",
            }
            for scheme in framework.band_schemes.order_by("scope").prefetch_related("bands")
            for band in scheme.bands.all()
        ],
    }
    participations = list(
        Participation.objects.filter(period=period).select_related("unit", "unit__kind", "group")
    )
    predecessors: dict[int, list[str]] = {}
    for link in (
        Lineage.objects.filter(successor__in=[p.unit_id for p in participations])
        .order_by("pk")
        .select_related("predecessor")
    ):
        predecessors.setdefault(link.successor_id, []).append(link.predecessor.code)
    rows["units"] = [
        {
            "code": p.unit.code,
            "name": p.unit.name,
            "group": p.group.code if p.group else "",
            "ranked": "" if p.ranked else "no",
            "kind": p.unit.kind.code if p.unit.kind else "",
            "predecessors": ";".join(predecessors.get(p.unit_id, [])),
        }
        for p in participations
    ]
    rows["values"] = [
        {"unit": unit, "indicator": node, "input": name, "value": value}
        for unit, node, name, value in InputValue.objects.filter(
            submission__participation__period=period
        )
        .order_by("submission__participation__order", "node__order", "input_name")
        .values_list("submission__participation__unit__code", "node__code", "input_name", "value")
    ]
    rows["scores"] = [
        {"unit": unit, "node": target, "score": plain(score)}
        for unit, target, score in GivenScore.objects.filter(
            submission__participation__period=period
        )
        .order_by("submission__participation__order", "pk")
        .values_list("submission__participation__unit__code", "target", "score")
    ]
    if appraised:
        settled = [
            {"unit": unit, "indicator": node, "score": plain(score)}
            for unit, node, score in AppraisedScore.objects.filter(
                submission__participation__period=period
            )
            .order_by("submission__participation__order", "node__order")
            .values_list("submission__participation__unit__code", "node__code", "score")
        ]
        if settled:  # absent until the appraisal settles a score: older hashes stay valid
            rows["appraised"] = settled
    return rows


def rows_hash(rows: Rows) -> str:
    canonical = json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def period_parsed(period: Period, *, appraised: bool = True) -> tuple[ParsedWorkbook, str]:
    """The period as the parser reads it (engine input and lineage), and the rows' hash."""
    rows = period_rows(period, appraised=appraised)
    return parse_workbook(raw_from_rows(rows)), rows_hash(rows)


def period_assessment(period: Period, *, appraised: bool = True) -> tuple[Assessment, str]:
    """The engine's input for a period, and the hash of the rows it was built from."""
    parsed, digest = period_parsed(period, appraised=appraised)
    return parsed.assessment, digest
