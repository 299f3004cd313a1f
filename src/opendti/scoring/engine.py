"""Score a period: leaf rules, aggregation up the tree, pillars, percent, bands, ranks, averages.

The engine works one column (one node, every unit) at a time: a rule is compiled once per leaf
and applied down the column, and a parent's column is the sum of its children's columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from itertools import compress, repeat
from math import lcm
from operator import add, is_, itemgetter, methodcaller
from types import MappingProxyType

from .bands import band_labels, classifier, percent_detail
from .findings import FindingLog, notes_apart
from .model import (
    TOTAL,
    Assessment,
    Averages,
    Node,
    PeriodResult,
    PillarResult,
    Rule,
    UnitResult,
    UnitSpec,
    Value,
)
from .ranking import competition_ranks
from .rounding import mean, quantize, quantize_all, ratio
from .rules import REGISTRY, MissingInput
from .tree import IN, INFO, OUT, ZERO_SCORE, PreparedTree, counted_max, node_status, prepare

ZERO = Decimal(0)
ONE = Decimal(1)
Column = list[Decimal | None]
# A unit without inputs for a leaf (or not scored on it), in a column of inputs: an empty mapping,
# so that a column is read with C-level `map`s, told apart from a unit that gave an empty set.
ABSENT: Mapping[str, Value] = MappingProxyType({})


def score_period(assessment: Assessment) -> PeriodResult:
    framework, settings, units = assessment.framework, assessment.settings, assessment.units
    decimals = settings.decimals
    tree = prepare(framework)
    log = FindingLog(decimals)

    groups = sorted({unit.group for unit in units})
    status = {g: node_status(tree, g, settings.not_deployed) for g in groups}
    maxima = {g: counted_max(tree, status[g]) for g in groups}
    unit_status = [status[unit.group] for unit in units]
    group_status = list(status.values())

    codes_of_units = [unit.code for unit in units]
    columns: dict[str, Column] = {}
    holes: set[str] = set()  # nodes whose column has a None (the node is out for some unit)
    for code in tree.post_order:
        if tree.is_leaf(code):
            columns[code] = _leaf_column(
                assessment, tree, code, unit_status, group_status, log, codes_of_units
            )
            if any(part[code] == OUT for part in group_status):
                holes.add(code)
        else:
            columns[code] = _parent_column(tree, code, unit_status, columns, holes)
            if has_none(columns[code]):
                holes.add(code)
        # A score given at a rule-less leaf is the leaf's score itself; anywhere else it is a check.
        if not tree.is_leaf(code) or tree.nodes[code].rule is not None:
            _check_given(assessment, code, columns[code], log, "node_sum")

    totals = _sum_of(tree.roots, unit_status, columns, holes)
    pillar_scores = {
        p: _sum_of(members, unit_status, columns, holes)
        for p, members in tree.pillar_members.items()
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
    total_band = classifier(total_scheme, band_on=settings.band_on, decimals=decimals)
    pillar_band = classifier(pillar_scheme, band_on=settings.band_on, decimals=decimals)
    percents = [ratio(_z(totals[i]), total_max[u.group], decimals) for i, u in enumerate(units)]
    ranks, group_ranks = _ranks(units, totals, [total_max[u.group] for u in units])
    pillar_results: dict[str, list[PillarResult]] = {}
    for pillar_code, column in pillar_scores.items():
        unit_max = [pillar_max[pillar_code][u.group] for u in units]
        p_ranks, p_group_ranks = _ranks(units, column, unit_max)
        results = []
        for i, _unit in enumerate(units):
            score, maximum = _z(column[i]), unit_max[i]
            band, percent = pillar_band(score, maximum), ratio(score, maximum, decimals)
            results.append(
                PillarResult(
                    score=score,
                    max_points=maximum,
                    percent=percent,
                    band=band,
                    rank=p_ranks.get(i),
                    group_rank=p_group_ranks.get(i),
                    percent_detail=percent_detail(
                        score, maximum, pillar_scheme, band, decimals, percent
                    ),
                )
            )
        pillar_results[pillar_code] = results

    # Each unit's node scores are one row across the columns; its maxima are its group's.
    codes = list(tree.nodes)
    rows = zip(*(columns[code] for code in codes), strict=True) if codes else repeat(())
    node_max_of = {g: {code: maxima[g][code] for code in codes} for g in groups}
    unit_results = []
    for i, (unit, row) in enumerate(zip(units, rows, strict=False)):  # rows may be endless
        total, maximum = _z(totals[i]), total_max[unit.group]
        band = total_band(total, maximum)
        unit_results.append(
            UnitResult(
                code=unit.code,
                name=unit.name,
                group=unit.group,
                ranked=unit.ranked,
                total=total,
                max_points=maximum,
                percent=percents[i],
                index=ratio(total, maximum, 4, scale=ONE),
                band=band,
                rank=ranks.get(i),
                group_rank=group_ranks.get(i),
                nodes=dict(zip(codes, row, strict=True)),
                node_max=dict(node_max_of[unit.group]),
                pillars={p: pillar_results[p][i] for p in pillar_results},
                percent_detail=percent_detail(
                    total, maximum, total_scheme, band, decimals, percents[i]
                ),
            )
        )

    group_of = {unit.code: unit.group for unit in units}
    findings, notes = notes_apart(
        log.sorted([u.code for u in units], list(tree.nodes)),
        informational=lambda unit, node: status[group_of[unit]].get(node) == INFO,
    )
    return PeriodResult(
        units=tuple(unit_results),
        averages=_averages(unit_results, None, columns, tree, decimals),
        group_averages={
            g: _averages([unit_results[i] for i in at], at, columns, tree, decimals)
            for g, at in _positions_by_group(units, groups).items()
        },
        band_counts=_band_counts([r.band for r in unit_results], band_labels(total_scheme)),
        pillar_band_counts={
            p: _band_counts([r.band for r in results], band_labels(pillar_scheme))
            for p, results in pillar_results.items()
        },
        findings=findings,
        notes=notes,
    )


def has_none(values: Sequence[object]) -> bool:
    """Whether a None is among `values`, by identity. `None in values` would compare each Decimal
    with None, and Decimal's == checks the other side against the numeric ABCs: ten times slower."""
    return any(map(is_, values, repeat(None)))


def _z(value: Decimal | None) -> Decimal:
    return ZERO if value is None else value


# --- leaves ------------------------------------------------------------------------------------


def _leaf_column(
    assessment: Assessment,
    tree: PreparedTree,
    code: str,
    unit_status: Sequence[dict[str, str]],
    group_status: Sequence[dict[str, str]],
    log: FindingLog,
    unit_codes: list[str],
) -> Column:
    column = _computed_leaf_column(
        assessment, tree, code, unit_status, group_status, log, unit_codes
    )
    appraised = assessment.appraised.get(code)
    if not appraised:
        return column
    # The appraisal's score replaces the computed one wherever the leaf is scored for the unit
    # (an indicator that is out, or scored zero as not deployed, stays so).
    decimals = assessment.settings.decimals
    for i, unit in enumerate(assessment.units):
        score = appraised.get(unit.code)
        if score is not None and unit_status[i][code] in (IN, INFO):
            column[i] = quantize(score, decimals)  # exact already; shown like the other leaves
    return column


def _computed_leaf_column(
    assessment: Assessment,
    tree: PreparedTree,
    code: str,
    unit_status: Sequence[dict[str, str]],
    group_status: Sequence[dict[str, str]],
    log: FindingLog,
    unit_codes: list[str],
) -> Column:
    node = tree.nodes[code]
    units = assessment.units
    decimals = assessment.settings.decimals
    shared = {part[code] for part in group_status}
    if len(shared) == 1:  # the leaf takes part the same way for every unit (the usual case)
        part = shared.pop()
        if part == OUT:
            return [None] * len(units)
        if part == ZERO_SCORE:
            return [ZERO] * len(units)
        return list(
            quantize_all(
                _raw_column(assessment, node, [True] * len(units), log, unit_codes), decimals
            )
        )
    parts = [status[code] for status in unit_status]
    raw = _raw_column(assessment, node, [part in (IN, INFO) for part in parts], log, unit_codes)
    return [
        None if part == OUT else ZERO if part == ZERO_SCORE else score
        for part, score in zip(parts, quantize_all(raw, decimals), strict=True)
    ]


def _raw_column(
    assessment: Assessment,
    node: Node,
    scored: Sequence[bool],
    log: FindingLog,
    unit_codes: list[str],
) -> list[Decimal]:
    """A leaf's unrounded score for every unit (zero where the unit is not scored on it)."""
    units, code = assessment.units, node.code
    if node.rule is None:
        given = assessment.given_scores.get(code, {})
        return [
            _given_or_missing(given, unit, code, log) if counted else ZERO
            for unit, counted in zip(units, scored, strict=True)
        ]
    values = assessment.values.get(code, {})
    inputs = list(map(values.get, unit_codes, repeat(ABSENT)))
    if not all(scored):
        inputs = [
            given if counted else ABSENT for given, counted in zip(inputs, scored, strict=True)
        ]
    _check_inputs(node.rule, inputs, units, code, log)
    rule_type = REGISTRY[node.rule.name]
    if rule_type.compile_column is not None:
        return _relative_column(assessment, node.rule, node.max_points, inputs, scored, log, code)
    raw: list[Decimal | None]
    if rule_type.compile_cells is not None:
        # The column in one pass; the cells it leaves (None) go one by one below.
        raw = rule_type.compile_cells(node.rule.params, node.max_points)(inputs)
        left = list(compress(range(len(raw)), map(is_, raw, repeat(None)))) if has_none(raw) else []
    else:
        raw, left = [None] * len(units), list(range(len(units)))
    if not left:
        return raw  # type: ignore[return-value]  # no None left
    assert rule_type.compile is not None
    scorer = rule_type.compile(node.rule.params, node.max_points)
    for i in left:
        unit_inputs = inputs[i]
        if not scored[i]:
            raw[i] = ZERO
        elif unit_inputs is ABSENT:
            log.missing(units[i].code, code, "no value given")
            raw[i] = ZERO
        else:
            try:
                raw[i] = scorer(unit_inputs)
            except MissingInput as missing:
                log.missing(units[i].code, code, f"no value for input '{missing.args[0]}'")
                raw[i] = ZERO
    return raw  # type: ignore[return-value]  # every cell decided


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
    inputs: Sequence[Mapping[str, Value]],
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
        value = inputs[i].get("")
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
    column: Sequence[Mapping[str, Value]],
    units: Sequence[UnitSpec],
    code: str,
    log: FindingLog,
) -> None:
    """Values outside an input's bounds, and a numerator above its denominator."""
    bounded = [s for s in rule.inputs if s.min is not None or s.max is not None or s.choices]
    # Each check is one pass down the column picking the units concerned; the findings come in the
    # same order as unit by unit (they are sorted by unit and node in the end).
    for spec in bounded:
        name, low, high, choices = spec.name, spec.min, spec.max, spec.choices
        found = list(map(methodcaller("get", name), column))
        if low is not None or high is not None:
            if high is None:
                outside = [i for i, v in enumerate(found) if v.__class__ is Decimal and v < low]  # type: ignore[operator]
            elif low is None:
                outside = [i for i, v in enumerate(found) if v.__class__ is Decimal and v > high]
            else:
                outside = [
                    i
                    for i, v in enumerate(found)
                    if v.__class__ is Decimal and (v < low or v > high)
                ]
            for i in outside:
                log.out_of_bounds(units[i].code, code, spec, found[i])
        if choices:
            for i in [i for i, v in enumerate(found) if isinstance(v, str) and v not in choices]:
                log.unknown_choice(units[i].code, code, spec, found[i])
    if rule.name == "ratio" and rule.params.get("numerator_above_denominator") is not True:
        for unit, inputs in zip(units, column, strict=True):
            numerator, denominator = inputs.get("numerator"), inputs.get("denominator")
            if (
                numerator.__class__ is Decimal
                and denominator.__class__ is Decimal
                and numerator > denominator
            ):
                log.ratio_over_one(unit.code, code, numerator, denominator)


# --- parents, pillars, totals ------------------------------------------------------------------


def _parent_column(
    tree: PreparedTree,
    code: str,
    unit_status: Sequence[dict[str, str]],
    columns: dict[str, Column],
    holes: set[str],
) -> Column:
    """The exact sum of the children that count for each unit (an informational parent shows the
    sum of all its children; a parent that is out has None)."""
    children = tree.children[code]

    def counted(part: dict[str, str]) -> list[str] | None:
        if part[code] == OUT:
            return None
        keep = (IN, ZERO_SCORE, INFO) if part[code] == INFO else (IN, ZERO_SCORE)
        return [c for c in children if part[c] in keep]

    return _sum_counted(counted, unit_status, columns, holes)


def _sum_of(
    codes: Sequence[str],
    unit_status: Sequence[dict[str, str]],
    columns: dict[str, Column],
    holes: set[str],
) -> Column:
    """Per unit, the sum of the nodes among `codes` that count for it (a total, a pillar)."""
    return _sum_counted(
        lambda part: [c for c in codes if part[c] in (IN, ZERO_SCORE)], unit_status, columns, holes
    )


def _sum_counted(
    counted: Callable[[dict[str, str]], list[str] | None],
    unit_status: Sequence[dict[str, str]],
    columns: dict[str, Column],
    holes: set[str],
) -> Column:
    """Sum, for each unit, the columns `counted(its group's status)` names (None: the node is out).

    Units are taken in blocks that count the same nodes: usually one block, added whole columns
    at a time; otherwise each block on its own rows.
    """
    size = len(unit_status)
    by_status: dict[int, list[int]] = {}
    for i, part in enumerate(unit_status):
        by_status.setdefault(id(part), []).append(i)
    blocks: dict[tuple[str, ...] | None, list[int]] = {}
    for positions in by_status.values():
        names = counted(unit_status[positions[0]])
        blocks.setdefault(None if names is None else tuple(names), []).extend(positions)
    result: Column = [None] * size
    for codes, positions in blocks.items():
        if codes is None:
            continue
        holed = [c in holes for c in codes]
        if len(positions) == size:
            return _add_present([columns[c] for c in codes], size, holed)
        parts = [[columns[c][i] for i in positions] for c in codes]
        for i, score in zip(positions, _add_present(parts, len(positions), holed), strict=True):
            result[i] = score
    return result


def _add_present(parts: Sequence[Column], size: int, holed: Sequence[bool]) -> Column:
    """Per unit, the sum of the parts' scores that are not None (None where none is).

    The same additions in the same order as `sum(present, ZERO)` unit by unit, but done a column
    at a time: whole columns are added in one pass, and only a column with holes (`holed`) is
    walked value by value.
    """
    total: Column = [ZERO] * size
    for part, has_holes in zip(parts, holed, strict=True):
        if has_holes:
            total = [t if s is None else t + s for t, s in zip(total, part, strict=True)]  # type: ignore[operator]
        else:
            total = list(map(add, total, part))
    if all(holed):  # a unit may have no score in any part
        return [None if all(part[i] is None for part in parts) else t for i, t in enumerate(total)]
    return total


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
    keys: dict[int, Decimal] | dict[int, int] = (
        {i: _z(scores[i]) for i in ranked} if same_max else _share_keys(ranked, scores, maxima)
    )
    overall = competition_ranks((i, keys[i]) for i in ranked)
    in_group: dict[str, list[int]] = {}
    for i in ranked:
        in_group.setdefault(units[i].group, []).append(i)
    by_group: dict[int, int] = {}
    for positions in in_group.values():
        by_group.update(competition_ranks((i, keys[i]) for i in positions))
    return overall, by_group


def _share_keys(ranked: Sequence[int], scores: Column, maxima: Sequence[Decimal]) -> dict[int, int]:
    """score / max for each unit, exactly, as integer numerators over one common denominator.

    They order and tie exactly as the fractions themselves (zero where the max is zero), but
    compare as plain integers. With score = a/b and max = c/d, score / max = a*d / (b*c).
    """
    of_max = {m: m.as_integer_ratio() for m in {maxima[i] for i in ranked}}
    shares: dict[int, tuple[int, int]] = {}
    for i in ranked:
        c, d = of_max[maxima[i]]
        if c:
            a, b = _z(scores[i]).as_integer_ratio()
            shares[i] = (a * d, b * c)
        else:
            shares[i] = (0, 1)
    common = lcm(*{denominator for _, denominator in shares.values()})
    return {
        i: numerator * (common // denominator) for i, (numerator, denominator) in shares.items()
    }


def _positions_by_group(units: Sequence[UnitSpec], groups: Sequence[str]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {g: [] for g in groups}
    for i, unit in enumerate(units):
        positions[unit.group].append(i)
    return positions


def _averages(
    results: Sequence[UnitResult],
    positions: Sequence[int] | None,
    columns: Mapping[str, Column],
    tree: PreparedTree,
    decimals: int,
) -> Averages:
    """Averages over `results`, the units at `positions` in the columns (None: every unit)."""
    pillars = tree.pillar_members
    nodes: dict[str, Decimal | None] = {}
    # Picking a group's units out of each column with one itemgetter (C) rather than a loop.
    pick = itemgetter(*positions) if positions is not None and len(positions) > 1 else None
    for code in tree.nodes:
        column = columns[code]
        if positions is None:
            scores = column
        elif pick is not None:
            scores = list(pick(column))
        else:
            scores = [column[i] for i in positions]
        present = [s for s in scores if s is not None] if has_none(scores) else scores
        nodes[code] = mean(present, decimals)  # type: ignore[arg-type]  # None filtered out
    return Averages(
        total=mean([r.total for r in results], decimals),
        percent=mean([r.percent for r in results], decimals),
        nodes=nodes,
        pillars={p: mean([r.pillars[p].score for r in results], decimals) for p in pillars},
    )


def _band_counts(bands: Sequence[str | None], labels: Sequence[str]) -> dict[str, int]:
    counts = dict.fromkeys(labels, 0)
    for band in bands:
        if band is not None:
            counts[band] = counts.get(band, 0) + 1
    return counts
