"""Write a checked framework file as a new version of its framework: all rows, or none."""

from __future__ import annotations

import json

from django.db import transaction
from django.db.models import Max

from opendti.scoring.model import Framework as ScoringFramework
from opendti.scoring.model import Rule
from opendti.workbook.parse import parse_flag

from ..models import Band, BandScheme, Framework, InputSpec, Level, Node, Pillar
from .check import Checked


def input_specs(node: Node, rule: Rule) -> list[InputSpec]:
    """The InputSpec rows of a leaf: the inputs its rule declares, in the rule's order."""
    return [
        InputSpec(
            node=node,
            name=spec.name,
            label=spec.label,
            type=spec.type,
            unit=spec.unit,
            min_value=spec.min,
            max_value=spec.max,
            choices=list(spec.choices),
            order=order,
        )
        for order, spec in enumerate(rule.inputs)
    ]


def band_schemes_create(framework: Framework, model: ScoringFramework) -> None:
    """The band schemes (total, pillar) of an engine framework, written for a framework row."""
    for scope, scheme in (
        (BandScheme.Scope.TOTAL, model.total_bands),
        (BandScheme.Scope.PILLAR, model.pillar_bands),
    ):
        if scheme is None:
            continue
        db_scheme = BandScheme.objects.create(framework=framework, scope=scope, basis=scheme.basis)
        Band.objects.bulk_create(
            Band(
                scheme=db_scheme,
                label=band.label,
                lower=band.lower,
                lower_inclusive=band.lower_inclusive,
                order=i,
            )
            for i, band in enumerate(scheme.bands)
        )


@transaction.atomic
def framework_create(checked: Checked) -> Framework:
    meta, assessment = checked.meta, checked.parsed.assessment
    level, _ = Level.objects.get_or_create(code=meta.level, defaults={"name": meta.level_name})
    # Lock the versions of this code so that two imports at once cannot take the same number.
    taken = Framework.objects.select_for_update().filter(code=meta.code)
    version = (taken.aggregate(v=Max("version"))["v"] or 0) + 1
    framework = Framework.objects.create(
        code=meta.code,
        version=version,
        name=meta.name,
        year=meta.year,
        level=level,
        decision_number=meta.decision_number,
        decision_date=meta.decision_date,
        decision_issuer=meta.decision_issuer,
        national_basis=meta.national_basis,
        total_max=meta.total_max,
    )
    pillars = {
        p.code: Pillar.objects.create(framework=framework, code=p.code, name=p.name, order=i)
        for i, p in enumerate(assessment.framework.pillars)
    }
    rows = {row["code"].strip(): row for row in checked.rows}
    order = {node.code: i for i, node in enumerate(assessment.framework.nodes)}
    depths = _depths(checked)
    nodes: dict[str, Node] = {}
    specs: list[InputSpec] = []
    # Parents before children (a file may list a child first); `order` keeps the file's order.
    for node in sorted(assessment.framework.nodes, key=lambda n: (depths[n.code], order[n.code])):
        row = rows[node.code]
        db_node = Node.objects.create(
            framework=framework,
            parent=nodes[node.parent] if node.parent else None,
            code=node.code,
            name=node.name,
            kind=node.kind,
            max_points=node.max_points,
            scored=node.scored,
            rule=node.rule.name if node.rule else "",
            params=json.dumps(node.rule.params, ensure_ascii=False) if node.rule else "",
            applies_to=sorted(node.applies_to),
            guidance=row.get("guidance", "").strip(),
            evidence_required=parse_flag(row.get("evidence_required", ""), False),
            source=row.get("source", "").strip() or Node.Source.SELF,
            verifier=row.get("verifier", "").strip(),
            order=order[node.code],
        )
        db_node.pillars.set([pillars[code] for code in node.pillars])
        nodes[node.code] = db_node
        if node.rule is not None:
            specs += input_specs(db_node, node.rule)
    InputSpec.objects.bulk_create(specs)
    band_schemes_create(framework, assessment.framework)
    return framework


def _depths(checked: Checked) -> dict[str, int]:
    parents = {n.code: n.parent for n in checked.parsed.assessment.framework.nodes}
    depths: dict[str, int] = {}
    for code in parents:
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in depths:  # the checker refused cycles
            chain.append(current)
            current = parents[current]
        depth = -1 if current is None else depths[current]
        for link in reversed(chain):
            depth += 1
            depths[link] = depth
    return depths
