"""The assessment workbook in and out of the database: a whole period, all or nothing.

Import checks the whole file with the workbook parser first (errors by sheet, row and column) and
writes nothing unless it is valid; it creates a new framework version every time, so that a
framework already used by another period never changes under it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.db.models import Max, ProtectedError
from django.utils.text import slugify

from opendti.assessments.models import GivenScore, InputValue, Submission
from opendti.core.names import group_default_name, level_default_name
from opendti.frameworks.exchange.create import band_schemes_create, input_specs
from opendti.frameworks.models import Framework, InputSpec, Level, Node, Pillar
from opendti.numbers import plain
from opendti.periods import revision
from opendti.periods.models import Participation, Period, RankingGroup
from opendti.scoring.model import Value
from opendti.units.models import Lineage, Unit, UnitKind
from opendti.workbook.errors import CellError, WorkbookError
from opendti.workbook.parse import ParsedWorkbook, parse_flag, parse_workbook
from opendti.workbook.sheets import RawWorkbook, read_workbook, write_workbook

from .selectors import period_rows


class PeriodExists(ValueError):
    pass


def value_text(value: Value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return plain(value)  # the canonical text the forms write (13.50 -> 13.5)
    return str(value)


def period_import_workbook(
    *,
    path: str | Path | None = None,
    raw: RawWorkbook | None = None,
    code: str = "",
    replace: bool = False,
) -> Period:
    """Load a workbook as a new period (and a new framework version). Raises WorkbookError."""
    raw = raw if raw is not None else read_workbook(path)  # type: ignore[arg-type]
    parsed = parse_workbook(raw)
    settings = parsed.assessment.settings
    try:
        year = int(settings.year)
    except ValueError:
        raise WorkbookError(
            [
                CellError(
                    "settings", None, "value", f"year must be a whole number, not '{settings.year}'"
                )
            ]
        ) from None
    level_code = slugify(settings.level) or "default"
    code = code or slugify(f"{settings.period or year}-{level_code}")
    with revision.batch():  # the revisions of what it writes raised once, at the end
        existing = Period.objects.filter(code=code).first()
        if existing is not None:
            if not replace:
                raise PeriodExists(
                    f"period '{code}' already exists; choose another --code or use --replace"
                )
            try:
                existing.delete()
            except ProtectedError:
                raise PeriodExists(
                    f"period '{code}' has recorded history (changes, appraisal decisions or "
                    "steps), which is never deleted; import it under another --code"
                ) from None
        return _create_period(parsed, code, year, level_code)


def _create_period(parsed: ParsedWorkbook, code: str, year: int, level_code: str) -> Period:
    assessment, raw = parsed.assessment, parsed.raw
    settings = assessment.settings
    level, _ = Level.objects.get_or_create(
        code=level_code, defaults={"name": level_default_name(settings.level or level_code)}
    )
    framework_code = slugify(f"{level_code}-{year}")
    version = (
        Framework.objects.filter(code=framework_code).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    framework = Framework.objects.create(
        code=framework_code,
        version=version,
        name=settings.title or framework_code,
        year=year,
        level=level,
        total_max=settings.total_max,
    )
    pillars = {
        p.code: Pillar.objects.create(framework=framework, code=p.code, name=p.name, order=i)
        for i, p in enumerate(assessment.framework.pillars)
    }
    extras = {row["code"].strip(): row for row in raw["framework"].rows}
    nodes: dict[str, Node] = {}
    specs: list[InputSpec] = []
    for order, node in enumerate(assessment.framework.nodes):
        extra = extras[node.code]
        db_node = Node.objects.create(
            framework=framework,
            parent=nodes.get(node.parent) if node.parent else None,
            code=node.code,
            name=node.name,
            kind=node.kind,
            max_points=node.max_points,
            scored=node.scored,
            rule=node.rule.name if node.rule else "",
            params=json.dumps(node.rule.params, ensure_ascii=False) if node.rule else "",
            applies_to=sorted(node.applies_to),
            guidance=extra.get("guidance", ""),
            evidence_required=parse_flag(extra.get("evidence_required", ""), False),
            source=extra.get("source", "").strip() or Node.Source.SELF,
            verifier=extra.get("verifier", ""),
            order=order,
        )
        db_node.pillars.set([pillars[p] for p in node.pillars])
        nodes[node.code] = db_node
        if node.rule:
            specs += input_specs(db_node, node.rule)
    InputSpec.objects.bulk_create(specs)
    band_schemes_create(framework, assessment.framework)
    period = Period.objects.create(
        code=code,
        title=settings.title or code,
        framework=framework,
        year=year,
        label=settings.period,
        decimals=settings.decimals,
        display=settings.display,
        not_deployed_policy=settings.not_deployed,
        band_on=settings.band_on,
    )
    period.not_deployed.set([nodes[n.code] for n in assessment.framework.nodes if not n.deployed])
    unit_rows = {row["code"].strip(): row for row in raw["units"].rows}
    groups: dict[str, RankingGroup] = {}
    # A group's name from the units sheet's `group_name` column, else its usual name (Xã, Phường).
    group_names = {
        row["group"].strip(): row.get("group_name", "").strip()
        for row in raw["units"].rows
        if row.get("group", "").strip()
    }
    group_names = {code: name or group_default_name(code) for code, name in group_names.items()}
    submissions: dict[str, Submission] = {}
    for order, spec in enumerate(assessment.units):
        row = unit_rows[spec.code]
        kind = None
        if row.get("kind", "").strip():
            kind, _ = UnitKind.objects.get_or_create(
                code=slugify(row["kind"]), defaults={"name": row["kind"].strip()}
            )
        unit, created = Unit.objects.get_or_create(
            code=spec.code, defaults={"name": spec.name, "kind": kind}
        )
        if not created and (unit.name != spec.name or (kind and unit.kind_id != kind.pk)):
            unit.name, unit.kind = spec.name, kind or unit.kind
            unit.save(update_fields=["name", "kind"])
        for predecessor_code in parsed.predecessors.get(spec.code, ()):
            predecessor, _ = Unit.objects.get_or_create(
                code=predecessor_code, defaults={"name": predecessor_code}
            )
            Lineage.objects.get_or_create(
                predecessor=predecessor, successor=unit, defaults={"kind": Lineage.Kind.MERGE}
            )
        group = None
        if spec.group:
            group = groups.get(spec.group) or RankingGroup.objects.create(
                period=period, code=spec.group, name=group_names.get(spec.group, "")
            )
            groups[spec.group] = group
        participation = Participation.objects.create(
            period=period, unit=unit, group=group, ranked=spec.ranked, order=order
        )
        # Made when the unit joined (assessments.apps): read, not created again.
        submissions[spec.code] = Submission.objects.get(participation=participation)
    InputValue.objects.bulk_create(
        InputValue(
            submission=submissions[unit],
            node=nodes[indicator],
            input_name=name,
            value=value_text(value),
        )
        for indicator, by_unit in assessment.values.items()
        for unit, inputs in by_unit.items()
        for name, value in inputs.items()
    )
    GivenScore.objects.bulk_create(
        GivenScore(submission=submissions[unit], target=target, score=score)
        for target, by_unit in assessment.given_scores.items()
        for unit, score in by_unit.items()
    )
    revision.bump([period.pk])  # bulk_create sends no signal: the values are the results' input
    return period


def period_export_workbook(*, period: Period, path: str | Path) -> None:
    rows = period_rows(period)
    sheets: dict[str, list[dict[str, object]]] = {
        name: [dict(row) for row in sheet] for name, sheet in rows.items()
    }
    write_workbook(sheets, path)
