"""Score a period: leaf rules, aggregation up the tree, pillars, percent, bands, ranks, averages.

The engine works one column (one node, every unit) at a time: a rule is compiled once per leaf
and applied down the column, and a parent's column is the sum of its children's columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from .bands import band_for, band_labels
from .findings import FindingLog
from .model import (
    TOTAL,
    Assessment,
    Averages,
    PeriodResult,
    PillarResult,
    Rule,
    UnitResult,
    UnitSpec,
    Value,
)
from .ranking import competition_ranks
from .rounding import mean, quantize, ratio
from .rules import REGISTRY, MissingInput
from .tree import IN, INFO, OUT, ZERO_SCORE, PreparedTree, counted_max, node_status, prepare

ZERO = Decimal(0)
ONE = Decimal(1)
Column = list[Decimal | None]


def score_period(assessment: Assessment) -> PeriodResult:
    framework, settings, units = assessment.framework, assessment.settings, assessment.units
    decimals = settings.decimals
    tree = prepare(framework)
    log = FindingLog(decimals)

    groups = sorted({unit.group for unit in units})
    status = {g: node_status(tree, g, settings.not_deployed) for g in groups}
    maxima = {g: counted_max(tree, status[g]) for g in groups}
    unit_status = [status[unit.group] for unit in units]

    columns: dict[str, Column] = {}
    for code in tree.post_order:
        if tree.is_leaf(code):
            columns[code] = _leaf_column(assessment, tree, code, unit_status, log)
        else:
            columns[code] = _parent_column(tree, code, unit_status, columns)
        # A score given at a rule-less leaf is the leaf's score itself; anywhere else it is a check.
        if not tree.is_leaf(code) or tree.nodes[code].rule is not None:
            _check_given(assessment, code, columns[code], log, "node_sum")

    totals = _sum_of(tree.roots, unit_status, columns)
    pillar_scores = {
        p: _sum_of(members, unit_status, columns) for p, members in tree.pillar_members.items()
    }
    for pillar_code, column in pillar_scores.items():
        _check_given(assessment, pillar_code, column, log, "pillar_sum")
    _check_given(assessment, TOTAL, totals, log, "total_sum")

    total_max = {g: _max_of(tree.roots, status[g], maxima[g]) for g in groups}
    pillar_max = {
        p: {g: _max_of(members, status[g], maxima[g]) for g in groups}
        for p, members in tree.pillar_members.items()
    }

    total_scheme, pillar_scheme = framework.total_bands, framework.pillar_bands
    percents = [ratio(_z(totals[i]), total_max[u.group], decimals) for i, u in enumerate(units)]
    ranks, group_ranks = _ranks(units, totals, [total_max[u.group] for u in units])
    pillar_results: dict[str, list[PillarResult]] = {}
    for pillar_code, column in pillar_scores.items():
        unit_max = [pillar_max[pillar_code][u.group] for u in units]
        p_ranks, p_group_ranks = _ranks(units, column, unit_max)
        results = []
        for i, _unit in enumerate(units):
            score = _z(column[i])
            percent = ratio(score, unit_max[i], decimals)
            basis = percent if pillar_scheme and pillar_scheme.basis == "percent" else score
            results.append(
                PillarResult(
                    score=score,
                    max_points=unit_max[i],
                    percent=percent,
                    band=band_for(basis, pillar_scheme),
                    rank=p_ranks.get(i),
                    group_rank=p_group_ranks.get(i),
                )
            )
        pillar_results[pillar_code] = results

    unit_results = []
    for i, unit in enumerate(units):
        total = _z(totals[i])
        basis = percents[i] if total_scheme and total_scheme.basis == "percent" else total
        node_max = maxima[unit.group]
        unit_results.append(
            UnitResult(
                code=unit.code,
                name=unit.name,
                group=unit.group,
                ranked=unit.ranked,
                total=total,
                max_points=total_max[unit.group],
                percent=percents[i],
                index=ratio(total, total_max[unit.group], 4, scale=ONE),
                band=band_for(basis, total_scheme),
                rank=ranks.get(i),
                group_rank=group_ranks.get(i),
                nodes={code: columns[code][i] for code in tree.nodes},
                node_max={code: node_max[code] for code in tree.nodes},
                pillars={p: pillar_results[p][i] for p in pillar_results},
            )
        )

    return PeriodResult(
        units=tuple(unit_results),
        averages=_averages(unit_results, tree, decimals),
        group_averages={
            g: _averages([r for r in unit_results if r.group == g], tree, decimals) for g in groups
        },
        band_counts=_band_counts([r.band for r in unit_results], band_labels(total_scheme)),
        pillar_band_counts={
            p: _band_counts([r.band for r in results], band_labels(pillar_scheme))
            for p, results in pillar_results.items()
        },
        findings=tuple(log.sorted([u.code for u in units], list(tree.nodes))),
    )


def _z(value: Decimal | None) -> Decimal:
    return ZERO if value is None else value


# --- leaves ------------------------------------------------------------------------------------


def _leaf_column(
    assessment: Assessment,
    tree: PreparedTree,
    code: str,
    unit_status: Sequence[dict[str, str]],
    log: FindingLog,
) -> Column:
    node = tree.nodes[code]
    units = assessment.units
    decimals = assessment.settings.decimals
    parts = [status[code] for status in unit_status]
    scored = [part in (IN, INFO) for part in parts]
    raw: list[Decimal]
    if node.rule is None:
        given = assessment.given_scores.get(code, {})
        raw = [
            _given_or_missing(given, unit, code, log) if scored[i] else ZERO
            for i, unit in enumerate(units)
        ]
    else:
        values = assessment.values.get(code, {})
        inputs = [values.get(u.code) if scored[i] else None for i, u in enumerate(units)]
        _check_inputs(node.rule, inputs, units, code, log)
        rule_type = REGISTRY[node.rule.name]
        if rule_type.compile_column is not None:
            raw = _relative_column(
                assessment, node.rule, node.max_points, inputs, scored, log, code
            )
        else:
            assert rule_type.compile is not None
            scorer = rule_type.compile(node.rule.params, node.max_points)
            raw = []
            for i, unit in enumerate(units):
                unit_inputs = inputs[i]
                if not scored[i]:
                    raw.append(ZERO)
                elif unit_inputs is None:
                    log.missing(unit.code, code, "no value given")
                    raw.append(ZERO)
                else:
                    try:
                        raw.append(scorer(unit_inputs))
                    except MissingInput as missing:
                        log.missing(unit.code, code, f"no value for input '{missing.args[0]}'")
                        raw.append(ZERO)
    return [
        None if part == OUT else ZERO if part == ZERO_SCORE else quantize(score, decimals)
        for part, score in zip(parts, raw, strict=True)
    ]


def _given_or_missing(
    given: Mapping[str, Decimal], unit: UnitSpec, code: str, log: FindingLog
) -> Decimal:
    score = given.get(unit.code)
    if score is None:
        log.missing(unit.code, code, "no score given")
        return ZERO
    return score


def _relative_column(
    assessment: Assessment,
    rule: Rule,
    max_points: Decimal,
    inputs: Sequence[Mapping[str, Value] | None],
    scored: Sequence[bool],
    log: FindingLog,
    code: str,
) -> list[Decimal]:
    """Score against the other units that are scored on this leaf (in the period or the group)."""
    units = assessment.units
    rule_type = REGISTRY[rule.name]
    assert rule_type.compile_column is not None
    scorer = rule_type.compile_column(rule.params, max_points)
    numbers: list[Decimal | None] = []
    for i, unit in enumerate(units):
        value = (inputs[i] or {}).get("")
        if scored[i] and not isinstance(value, Decimal):
            log.missing(unit.code, code, "no value given")
        numbers.append(value if scored[i] and isinstance(value, Decimal) else None)
    scopes: dict[str, list[int]] = {}
    per_group = rule.params.get("scope", "period") == "group"
    for i, unit in enumerate(units):
        if scored[i]:
            scopes.setdefault(unit.group if per_group else "", []).append(i)
    result = [ZERO] * len(units)
    for positions in scopes.values():
        for i, score in zip(positions, scorer([numbers[i] for i in positions]), strict=True):
            result[i] = score
    return result


def _check_inputs(
    rule: Rule,
    column: Sequence[Mapping[str, Value] | None],
    units: Sequence[UnitSpec],
    code: str,
    log: FindingLog,
) -> None:
    """Values outside an input's bounds, and a numerator above its denominator."""
    bounded = [s for s in rule.inputs if s.min is not None or s.max is not None or s.choices]
    for spec in bounded:
        for unit, inputs in zip(units, column, strict=True):
            if inputs is None:
                continue
            value = inputs.get(spec.name)
            if isinstance(value, Decimal):
                if (spec.min is not None and value < spec.min) or (
                    spec.max is not None and value > spec.max
                ):
                    log.out_of_bounds(unit.code, code, spec, value)
            elif spec.choices and isinstance(value, str) and value not in spec.choices:
                log.unknown_choice(unit.code, code, spec, value)
    if rule.name == "ratio":
        for unit, inputs in zip(units, column, strict=True):
            if inputs is None:
                continue
            numerator, denominator = inputs.get("numerator"), inputs.get("denominator")
            if (
                isinstance(numerator, Decimal)
                and isinstance(denominator, Decimal)
                and numerator > denominator
            ):
                log.ratio_over_one(unit.code, code, numerator, denominator)


# --- parents, pillars, totals ------------------------------------------------------------------


def _parent_column(
    tree: PreparedTree, code: str, unit_status: Sequence[dict[str, str]], columns: dict[str, Column]
) -> Column:
    children = tree.children[code]
    counted_by_status: dict[int, list[Column]] = {}
    column: Column = []
    for i, part in enumerate(unit_status):
        if part[code] == OUT:
            column.append(None)
            continue
        key = id(part)
        counted = counted_by_status.get(key)
        if counted is None:
            keep = (IN, ZERO_SCORE) if part[code] != INFO else (IN, ZERO_SCORE, INFO)
            counted = [columns[c] for c in children if part[c] in keep]
            counted_by_status[key] = counted
        scores = [col[i] for col in counted]
        present = [s for s in scores if s is not None]
        column.append(sum(present, ZERO) if present else None)
    return column


def _sum_of(
    codes: Sequence[str], unit_status: Sequence[dict[str, str]], columns: dict[str, Column]
) -> Column:
    result: Column = []
    for i, part in enumerate(unit_status):
        present = [
            score
            for c in codes
            if part[c] in (IN, ZERO_SCORE) and (score := columns[c][i]) is not None
        ]
        result.append(sum(present, ZERO) if present else None)
    return result


def _max_of(
    codes: Sequence[str], status: dict[str, str], maxima: Mapping[str, Decimal | None]
) -> Decimal:
    return sum(
        (m for c in codes if status[c] in (IN, ZERO_SCORE) and (m := maxima[c]) is not None), ZERO
    )


def _check_given(
    assessment: Assessment, target: str, column: Column, log: FindingLog, kind: str
) -> None:
    """A score given where the parts are known is checked against them; the parts win."""
    given = assessment.given_scores.get(target)
    if not given:
        return
    for i, unit in enumerate(assessment.units):
        stated = given.get(unit.code)
        if stated is not None and column[i] is not None and stated != column[i]:
            log.disagreement(unit.code, target, kind, _z(column[i]), stated)


# --- ranks, averages, counts -------------------------------------------------------------------


def _ranks(
    units: Sequence[UnitSpec], scores: Column, maxima: Sequence[Decimal]
) -> tuple[dict[int, int], dict[int, int]]:
    """Rank ranked units on points, or on the exact share of their max where maxima differ."""
    ranked = [i for i, unit in enumerate(units) if unit.ranked and scores[i] is not None]
    same_max = len({maxima[i] for i in ranked}) <= 1
    keys: dict[int, Decimal | Fraction] = {}
    for i in ranked:
        score = _z(scores[i])
        keys[i] = (
            score
            if same_max
            else (Fraction(score) / Fraction(maxima[i]) if maxima[i] else Fraction(0))
        )
    overall = competition_ranks((i, keys[i]) for i in ranked)
    by_group: dict[int, int] = {}
    for group in {units[i].group for i in ranked}:
        by_group.update(competition_ranks((i, keys[i]) for i in ranked if units[i].group == group))
    return overall, by_group


def _averages(results: Sequence[UnitResult], tree: PreparedTree, decimals: int) -> Averages:
    pillars = tree.pillar_members
    return Averages(
        total=mean([r.total for r in results], decimals),
        percent=mean([r.percent for r in results], decimals),
        nodes={
            code: mean([s for r in results if (s := r.nodes[code]) is not None], decimals)
            for code in tree.nodes
        },
        pillars={p: mean([r.pillars[p].score for r in results], decimals) for p in pillars},
    )


def _band_counts(bands: Sequence[str | None], labels: Sequence[str]) -> dict[str, int]:
    counts = dict.fromkeys(labels, 0)
    for band in bands:
        if band is not None:
            counts[band] = counts.get(band, 0) + 1
    return counts
