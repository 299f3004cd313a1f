"""Re-score a period after one unit's inputs change, re-computing only what the change reaches.

A keystroke in the workspace changes one unit's inputs of one indicator (or a few). A full
`score_period` re-scores every unit and every node; here only the unit's changed leaves, their
ancestors, its pillars, total and band are worked out again, and — for a relative rule (min/max
or best over the period or the group) — the leaf's whole column over its scope, so that every
other unit whose score on that leaf moves is re-added too. Ranks, averages, band counts and
findings are then brought up to date from the results kept. The result is the one `score_period`
gives on the edited assessment, object for object (`==` on the dataclasses): the same functions
score a unit's leaf and sum its parents, in the same order, on the same exact Decimals.

    new_assessment, new_result = apply_edit(assessment, result, "u1", {"I1": {"": Decimal(3)}})

Keep the pair and pass it to the next call: what depends only on the framework, the settings and
the units (the prepared tree, each group's statuses and maxima, the compiled rules) is worked out
once and kept while those objects are the same ones (an edit keeps them). The inputs are never
changed: the new assessment shares every column the edit leaves alone, the new result every unit
result it does not change.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import chain
from math import lcm
from typing import Any, TypeVar

from .bands import band_labels, classifier, percent_detail
from .engine import (
    ABSENT,
    ONE,
    ZERO,
    _band_counts,
    _check_inputs,
    _ranks,
    _z,
    has_none,
    score_period,
)
from .findings import FindingLog
from .model import (
    TOTAL,
    Assessment,
    Averages,
    Finding,
    PeriodResult,
    PillarResult,
    UnitResult,
    Value,
)
from .rounding import mean, quantize, quantize_all, ratio
from .rules import REGISTRY, MissingInput
from .tree import IN, INFO, OUT, ZERO_SCORE, PreparedTree, counted_max, node_status, prepare

# One unit's new inputs: indicator code -> input name -> value. The mapping given for an
# indicator replaces all the unit's inputs of it; an empty one means none given (as a what-if
# whose every field is blank).
Changes = Mapping[str, Mapping[str, Value]]
# One unit's scores settled by the appraisal: indicator code -> score (None: none settled).
Settled = Mapping[str, Decimal | None]


def apply_edit(
    assessment: Assessment,
    result: PeriodResult,
    unit: str,
    changes: Changes,
    appraised: Settled | None = None,
) -> tuple[Assessment, PeriodResult]:
    """The assessment with `unit`'s inputs of the indicators in `changes` replaced (and the
    scores the appraisal settled for it at the leaves in `appraised`), and its result: equal to
    `score_period` of that assessment. `result` must be the result of `assessment` (as
    `score_period` or an earlier `apply_edit` returned it)."""
    edited = _edited(assessment, unit, changes, appraised or {})
    context = _context(assessment)
    if context is None:  # unit codes not unique: findings cannot be told apart by unit
        return edited, score_period(edited)
    if unit not in context.index:
        raise KeyError(f"unit '{unit}' is not in the period")
    codes = [*changes, *(appraised or {})]
    return edited, _Rescore(context, edited, result, unit, codes).run()


def _edited(assessment: Assessment, unit: str, changes: Changes, settled: Settled) -> Assessment:
    if settled:
        appraised = dict(assessment.appraised)
        for code, score in settled.items():
            scores = dict(appraised.get(code, {}))
            if score is None:
                scores.pop(unit, None)
            else:
                scores[unit] = score
            if scores:
                appraised[code] = scores
            else:  # as a scored assessment has it: no column where no unit has a score
                appraised.pop(code, None)
        assessment = replace(assessment, appraised=appraised)
    if not changes:
        return assessment
    values = dict(assessment.values)
    for code, inputs in changes.items():
        column = dict(values.get(code, {}))
        if inputs:
            column[unit] = dict(inputs)
        else:
            column.pop(unit, None)
        if column:
            values[code] = column
        else:  # as a scored assessment has it: no column where no unit gave a value
            values.pop(code, None)
    return replace(assessment, values=values)


# --- what depends only on the framework, settings and units -------------------------------------


@dataclass
class _Context:
    tree: PreparedTree
    decimals: int
    units: tuple[Any, ...]
    index: dict[str, int]
    node_index: dict[str, int]
    status: dict[str, dict[str, str]]  # per group
    unit_status: list[dict[str, str]]
    total_max: dict[str, Decimal]
    pillar_max: dict[str, dict[str, Decimal]]
    # Per group: the children counted in each parent's sum, the pillars' and the total's parts.
    counted_children: dict[str, dict[str, tuple[str, ...] | None]]
    pillar_parts: dict[str, dict[str, tuple[str, ...]]]
    total_parts: dict[str, tuple[str, ...]]
    # Per group: whether a node, pillar or total has no score (None) — which depends only on the
    # statuses, since a leaf has none only where it is out.
    total_none: dict[str, bool]
    pillar_none: dict[str, dict[str, bool]]
    positions: dict[str, list[int]]  # per group, in the engine's (sorted) order
    groups: list[str]  # each unit's
    ancestors: dict[str, list[str]]  # per node, nearest first
    total_band: Any
    pillar_band: Any
    total_scheme: Any
    pillar_scheme: Any
    scorers: dict[str, Any] = field(default_factory=dict)
    scopes: dict[tuple[str, str | None], list[int]] = field(default_factory=dict)
    rankings: dict[str, Any] = field(default_factory=dict)
    parents: dict[tuple[str, ...], list[str]] = field(default_factory=dict)


# Up to this many units whose score moved, ranks are brought up to date unit by unit.
_FEW = 4

_CONTEXTS: list[tuple[tuple[object, ...], _Context | None]] = []
_KEEP = 4


def _context(assessment: Assessment) -> _Context | None:
    keys = (assessment.framework, assessment.settings, assessment.units)
    for kept, context in _CONTEXTS:
        if all(a is b for a, b in zip(kept, keys, strict=True)):
            return context
    context = _build_context(assessment)
    _CONTEXTS.insert(0, (keys, context))
    del _CONTEXTS[_KEEP:]
    return context


def _build_context(assessment: Assessment) -> _Context | None:
    framework, settings, units = assessment.framework, assessment.settings, assessment.units
    index = {u.code: i for i, u in enumerate(units)}
    if len(index) != len(units):
        return None
    tree = prepare(framework)
    groups = sorted({u.group for u in units})
    status = {g: node_status(tree, g, settings.not_deployed) for g in groups}
    maxima = {g: counted_max(tree, status[g]) for g in groups}

    def max_of(codes: Sequence[str], g: str) -> Decimal:
        return sum(
            (
                m
                for c in codes
                if status[g][c] in (IN, ZERO_SCORE) and (m := maxima[g][c]) is not None
            ),
            ZERO,
        )

    counted_children: dict[str, dict[str, tuple[str, ...] | None]] = {}
    none: dict[str, dict[str, bool]] = {}
    pillar_parts: dict[str, dict[str, tuple[str, ...]]] = {}
    total_parts: dict[str, tuple[str, ...]] = {}
    for g in groups:
        part = status[g]
        kids: dict[str, tuple[str, ...] | None] = {}
        is_none: dict[str, bool] = {}
        for code in tree.post_order:
            if part[code] == OUT:
                kids[code], is_none[code] = None, True
            elif tree.is_leaf(code):
                is_none[code] = False
            else:
                keep = (IN, ZERO_SCORE, INFO) if part[code] == INFO else (IN, ZERO_SCORE)
                kids[code] = tuple(c for c in tree.children[code] if part[c] in keep)
                is_none[code] = all(is_none[c] for c in kids[code])  # type: ignore[union-attr]
        counted_children[g], none[g] = kids, is_none
        pillar_parts[g] = {
            p: tuple(c for c in members if part[c] in (IN, ZERO_SCORE))
            for p, members in tree.pillar_members.items()
        }
        total_parts[g] = tuple(c for c in tree.roots if part[c] in (IN, ZERO_SCORE))
    ancestors: dict[str, list[str]] = {}
    for code, node in tree.nodes.items():
        chain, parent = [], node.parent
        while parent is not None:
            chain.append(parent)
            parent = tree.nodes[parent].parent
        ancestors[code] = chain
    positions: dict[str, list[int]] = {g: [] for g in groups}
    for i, u in enumerate(units):
        positions[u.group].append(i)
    decimals = settings.decimals
    return _Context(
        tree=tree,
        decimals=decimals,
        units=units,
        index=index,
        node_index={code: i for i, code in enumerate(tree.nodes)},
        status=status,
        unit_status=[status[u.group] for u in units],
        total_max={g: max_of(tree.roots, g) for g in groups},
        pillar_max={
            p: {g: max_of(members, g) for g in groups} for p, members in tree.pillar_members.items()
        },
        counted_children=counted_children,
        pillar_parts=pillar_parts,
        total_parts=total_parts,
        total_none={g: all(none[g][c] for c in total_parts[g]) for g in groups},
        pillar_none={
            p: {g: all(none[g][c] for c in pillar_parts[g][p]) for g in groups}
            for p in tree.pillar_members
        },
        positions=positions,
        groups=[u.group for u in units],
        ancestors=ancestors,
        total_band=classifier(framework.total_bands, band_on=settings.band_on, decimals=decimals),
        pillar_band=classifier(framework.pillar_bands, band_on=settings.band_on, decimals=decimals),
        total_scheme=framework.total_bands,
        pillar_scheme=framework.pillar_bands,
    )


def _sum_present(values: Sequence[Decimal | None]) -> Decimal | None:
    """The engine's sum of one unit's counted parts, in their order from Decimal(0) (so with
    the same exponent and sign of zero): None where no part has a score."""
    present = [value for value in values if value is not None]
    return sum(present, ZERO) if present else None


# --- one edit -----------------------------------------------------------------------------------


class _Rescore:
    def __init__(
        self,
        context: _Context,
        assessment: Assessment,
        result: PeriodResult,
        unit: str,
        codes: list[str],
    ) -> None:
        self.c = context
        self.a = assessment
        self.old = result
        self.unit = context.index[unit]
        tree = context.tree
        # Only a leaf's rule reads values: anything else in the edit changes no score.
        self.leaves = [
            code
            for code in dict.fromkeys(codes)
            if code in tree.nodes and tree.is_leaf(code) and tree.nodes[code].rule is not None
        ]
        self.results = list(result.units)
        # The share keys worked out in this edit, per ranking (None: not known any more).
        self.keys: dict[str, tuple[int, list[Any]] | None] = {}

    def run(self) -> PeriodResult:
        c = self.c
        # unit position -> the leaves whose score changed for it (or whose findings may have)
        touched: dict[int, dict[str, Decimal | None]] = {}
        for code in self.leaves:
            if c.unit_status[self.unit][code] not in (IN, INFO):
                continue  # out or scored zero for this unit: the inputs are not read
            for i, score in self._leaf_scores(code).items():
                touched.setdefault(i, {})[code] = score
        if not touched:
            return replace(self.old, units=tuple(self.results))

        findings: dict[int, list[Finding]] = {}
        redone: dict[int, _Redone] = {}
        changed_nodes: set[str] = set()
        changed_pillars: dict[str, set[int]] = {}
        total_moved: set[int] = set()
        for i, leaves in touched.items():
            new_unit, nodes, pillars, moved, found, done = self._unit(i, leaves)
            self.results[i] = new_unit
            changed_nodes |= nodes
            for p in pillars:
                changed_pillars.setdefault(p, set()).add(i)
            if moved:
                total_moved.add(i)
            findings[i], redone[i] = found, done
        self._ranks(total_moved, changed_pillars)
        new = self._period(touched, changed_nodes, set(changed_pillars), findings, redone)
        _keep_keys(new, self.old, self.keys)
        return new

    # --- leaves

    def _scorers(self, code: str) -> tuple[Any, Any, Any]:
        kept = self.c.scorers.get(code)
        if kept is None:
            node = self.c.tree.nodes[code]
            assert node.rule is not None
            rule_type = REGISTRY[node.rule.name]
            params, m = node.rule.params, node.max_points
            kept = (
                rule_type.compile_column(params, m) if rule_type.compile_column else None,
                rule_type.compile_cells(params, m) if rule_type.compile_cells else None,
                rule_type.compile(params, m) if rule_type.compile else None,
            )
            self.c.scorers[code] = kept
        return kept

    def _inputs(self, code: str, i: int) -> Mapping[str, Value]:
        return self.a.values.get(code, {}).get(self.c.units[i].code, ABSENT)

    def _appraised(self, code: str, i: int, score: Decimal) -> Decimal:
        appraised = self.a.appraised.get(code)
        if appraised:
            given = appraised.get(self.c.units[i].code)
            if given is not None:  # the unit is scored on the leaf here (IN or INFO)
                return quantize(given, self.c.decimals)
        return score

    def _leaf_scores(self, code: str) -> dict[int, Decimal | None]:
        """The leaf's new score for each unit it may have changed for (always the edited unit)."""
        column, cells, scorer = self._scorers(code)
        i = self.unit
        if column is None:
            raw = self._own_score(code, i, cells, scorer)
            return {i: self._appraised(code, i, quantize(raw, self.c.decimals))}
        return self._relative_scores(code, column)

    def _own_score(self, code: str, i: int, cells: Any, scorer: Any) -> Decimal:
        """`engine._raw_column` for one unit (findings are logged apart, in `_leaf_findings`)."""
        inputs = self._inputs(code, i)
        if cells is not None:
            raw = cells([inputs])[0]
            if raw is not None:
                return raw  # type: ignore[no-any-return]
        if inputs is ABSENT:
            return ZERO
        try:
            return scorer(inputs)  # type: ignore[no-any-return]
        except MissingInput:
            return ZERO

    def _relative_scores(self, code: str, scorer: Any) -> dict[int, Decimal | None]:
        c, a = self.c, self.a
        node = c.tree.nodes[code]
        assert node.rule is not None
        positions = self._scope(code, node.rule.params.get("scope", "period") == "group")
        values = a.values.get(code, {})
        numbers: list[Decimal | None] = []
        for i in positions:
            value = values.get(c.units[i].code, ABSENT).get("")
            numbers.append(value if isinstance(value, Decimal) else None)
        scores = quantize_all(scorer(numbers), c.decimals)
        changed: dict[int, Decimal | None] = {}
        results = self.results
        for i, score in zip(positions, scores, strict=True):
            score = self._appraised(code, i, score)
            if i == self.unit or not _same(results[i].nodes[code], score):
                changed[i] = score
        return changed

    def _scope(self, code: str, per_group: bool) -> list[int]:
        """The units the edited unit is compared with on a relative leaf (itself included), in
        the engine's order: those scored on the leaf, in the period or in the unit's group."""
        c = self.c
        group = c.units[self.unit].group if per_group else None
        kept = c.scopes.get((code, group))
        if kept is None:
            candidates = c.positions[group] if group is not None else range(len(c.units))
            kept = [i for i in candidates if c.unit_status[i][code] in (IN, INFO)]
            c.scopes[(code, group)] = kept
        return kept

    def _leaf_findings(self, code: str, i: int, score: Decimal | None, log: FindingLog) -> None:
        """What the engine logs for the unit at this leaf: input checks, a value missing, and a
        score given at the leaf that differs from the computed one."""
        c = self.c
        unit = c.units[i]
        if c.unit_status[i][code] in (IN, INFO):
            node = c.tree.nodes[code]
            assert node.rule is not None
            inputs = self._inputs(code, i)
            _check_inputs(node.rule, [inputs], [unit], code, log)
            column, cells, scorer = self._scorers(code)
            if column is not None:
                if not isinstance(inputs.get(""), Decimal):
                    log.missing(unit.code, code, "no value given")
            elif cells is None or cells([inputs])[0] is None:
                if inputs is ABSENT:
                    log.missing(unit.code, code, "no value given")
                else:
                    try:
                        scorer(inputs)
                    except MissingInput as missing:
                        log.missing(unit.code, code, f"no value for input '{missing.args[0]}'")
        self._check_given(code, i, score, log, "node_sum")

    def _check_given(
        self, target: str, i: int, score: Decimal | None, log: FindingLog, kind: str
    ) -> None:
        given = self.a.given_scores.get(target)
        if not given:
            return
        code = self.c.units[i].code
        stated = given.get(code)
        if stated is not None and score is not None and stated != score:
            log.disagreement(code, target, kind, _z(score), stated)

    # --- one unit's parents, pillars, total

    def _unit(
        self, i: int, leaves: dict[str, Decimal | None]
    ) -> tuple[UnitResult, set[str], set[str], bool, list[Finding], _Redone]:
        c = self.c
        old = self.results[i]
        group = old.group
        nodes = dict(old.nodes)
        nodes.update(leaves)
        kids = c.counted_children[group]
        # The ancestors of the changed leaves, children before parents (the engine's order).
        parents = self._parents(tuple(leaves))
        for code in parents:
            counted = kids[code]
            nodes[code] = None if counted is None else _sum_present([nodes[k] for k in counted])
        changed = {code for code in [*leaves, *parents] if not _same(nodes[code], old.nodes[code])}

        log = FindingLog(c.decimals)
        # Another unit than the edited one keeps its inputs: only a score given at the leaf is
        # checked again against the leaf's new (relative) score.
        own = i == self.unit
        for code in leaves:
            if own:
                self._leaf_findings(code, i, nodes[code], log)
            else:
                self._check_given(code, i, nodes[code], log, "node_sum")
        for code in parents:
            self._check_given(code, i, nodes[code], log, "node_sum")

        pillars = dict(old.pillars)
        moved_pillars: set[str] = set()
        pillar_scores: dict[str, Decimal | None] = {}
        for p, parts in c.pillar_parts[group].items():
            if any(part in changed for part in parts):
                score = _sum_present([nodes[k] for k in parts])
                pillar_scores[p] = score
                if not _same(_z(score), old.pillars[p].score):
                    pillars[p] = self._pillar(score, c.pillar_max[p][group], old.pillars[p])
                    moved_pillars.add(p)
            else:
                pillar_scores[p] = None if c.pillar_none[p][group] else old.pillars[p].score
        for p, score in pillar_scores.items():
            self._check_given(p, i, score, log, "pillar_sum")
        total_score = (
            _sum_present([nodes[k] for k in c.total_parts[group]])
            if any(part in changed for part in c.total_parts[group])
            else None
            if c.total_none[group]
            else old.total
        )
        self._check_given(TOTAL, i, total_score, log, "total_sum")
        total = _z(total_score)
        moved = not _same(total, old.total)
        if moved:
            maximum = old.max_points
            band = c.total_band(total, maximum)
            percent = ratio(total, maximum, c.decimals)
            new = _with(
                old,
                total=total,
                percent=percent,
                index=ratio(total, maximum, 4, scale=ONE),
                band=band,
                nodes=nodes,
                pillars=pillars,
                percent_detail=percent_detail(
                    total, maximum, c.total_scheme, band, c.decimals, percent
                ),
            )
        else:
            new = _with(old, nodes=nodes, pillars=pillars)
        done = {*parents, *c.tree.pillar_members, TOTAL, *(leaves if own else ())}
        return new, changed, moved_pillars, moved, log.items, (done, set() if own else set(leaves))

    def _parents(self, leaves: tuple[str, ...]) -> list[str]:
        """The ancestors of `leaves`, children before parents (the engine's order)."""
        kept = self.c.parents.get(leaves)
        if kept is None:
            wanted = {code for leaf in leaves for code in self.c.ancestors[leaf]}
            kept = [code for code in self.c.tree.post_order if code in wanted]
            self.c.parents[leaves] = kept
        return kept

    def _pillar(self, score: Decimal | None, maximum: Decimal, old: PillarResult) -> PillarResult:
        c = self.c
        value = _z(score)
        band, percent = c.pillar_band(value, maximum), ratio(value, maximum, c.decimals)
        return _with(
            old,
            score=value,
            percent=percent,
            band=band,
            percent_detail=percent_detail(
                value, maximum, c.pillar_scheme, band, c.decimals, percent
            ),
        )

    # --- ranks, averages, counts, findings

    def _ranks(self, total_moved: set[int], pillars: dict[str, set[int]]) -> None:
        """Ranks after the scores of the units in `total_moved` (and in `pillars[p]`) moved."""
        c, results, old = self.c, self.results, self.old.units
        if total_moved:
            ranks = self._ranked(
                TOTAL,
                total_moved,
                lambda i: None if c.total_none[results[i].group] else results[i].total,
                {i: old[i].total for i in total_moved},
                lambda i: (results[i].rank, results[i].group_rank),
                lambda i: results[i].max_points,
            )
            for i, (rank, group_rank) in ranks.items():
                results[i] = _with(results[i], rank=rank, group_rank=group_rank)
        for p, moved in pillars.items():
            none = c.pillar_none[p]
            ranks = self._ranked(
                p,
                moved,
                lambda i, p=p, none=none: (  # type: ignore[misc]
                    None if none[results[i].group] else results[i].pillars[p].score
                ),
                {i: old[i].pillars[p].score for i in moved},
                lambda i, p=p: (results[i].pillars[p].rank, results[i].pillars[p].group_rank),  # type: ignore[misc]
                lambda i, p=p: results[i].pillars[p].max_points,  # type: ignore[misc]
            )
            for i, (rank, group_rank) in ranks.items():
                r = results[i]
                held = dict(r.pillars)
                held[p] = _with(held[p], rank=rank, group_rank=group_rank)
                results[i] = _with(r, pillars=held)

    def _ranked(
        self,
        name: str,
        moved: set[int],
        score_of: Callable[[int], Decimal | None],
        was: dict[int, Decimal],
        held_of: Callable[[int], tuple[int | None, int | None]],
        max_of: Callable[[int], Decimal],
    ) -> dict[int, tuple[int | None, int | None]]:
        """The (rank, group rank) of each unit whose ranks change (`engine._ranks`' ranks).

        A few units moved: competition ranks count the units ahead (rank = 1 + how many rank
        above), so every other unit's rank moves by the moved units it now trails or no longer
        trails, and a moved unit's rank is counted afresh; on the exact keys the engine ranks on
        (the score where maxima are the same, else the exact share of the max). Many moved (a
        relative column re-scored): ranked again from scratch.
        """
        c = self.c
        units = c.units
        size = len(units)
        if len(moved) > _FEW:
            self.keys[name] = None
            scores = [score_of(i) for i in range(size)]
            overall, by_group = _ranks(units, scores, [max_of(i) for i in range(size)])
            return {
                i: new
                for i in range(size)
                if (new := (overall.get(i), by_group.get(i))) != held_of(i)
            }
        ranked, same_max, ratios = self._ranking(name, score_of, max_of)
        movers = [i for i in sorted(moved) if i in ranked]
        if not movers:
            return {}
        groups = c.groups
        keys, old_keys = self._keys(name, score_of, was, movers, ranked, same_max, ratios)
        new_keys = {j: keys[j] for j in movers}
        changes: dict[int, tuple[int | None, int | None]] = {}
        if len(movers) == 1:
            # One unit moved from old to new: those between trail it now, or no longer do.
            (j,) = movers
            old, new = old_keys[j], new_keys[j]
            step, low, high = (1, old, new) if new > old else (-1, new, old)
            group = groups[j]
            for i in ranked:
                if i != j and low <= keys[i] < high:
                    rank, group_rank = held_of(i)
                    assert rank is not None and group_rank is not None
                    changes[i] = (
                        rank + step,
                        group_rank + step if groups[i] == group else group_rank,
                    )
        else:
            for i in ranked:
                if i in new_keys:
                    continue
                rank, group_rank = held = held_of(i)
                assert rank is not None and group_rank is not None
                k = keys[i]
                for j in movers:
                    step = (k < new_keys[j]) - (k < old_keys[j])
                    if step:
                        rank += step
                        if groups[j] == groups[i]:
                            group_rank += step
                if (rank, group_rank) != held:
                    changes[i] = (rank, group_rank)
        for j in movers:
            k = new_keys[j]
            ahead = [i for i in ranked if keys[i] > k]
            changes[j] = (1 + len(ahead), 1 + sum(groups[i] == groups[j] for i in ahead))
            if changes[j] == held_of(j):
                del changes[j]
        return changes

    def _keys(
        self,
        name: str,
        score_of: Callable[[int], Decimal | None],
        was: dict[int, Decimal],
        movers: list[int],
        ranked: Mapping[int, None],
        same_max: bool,
        ratios: dict[str, tuple[int, int]],
    ) -> tuple[list[Any], dict[int, Any]]:
        """Each ranked unit's key, after and before the move (for the movers): its score where
        the maxima are the same, else its exact share of the max as an integer over one common
        denominator (as `engine._share_keys`). Kept with the result for the next edit, since
        they change only where a unit moved."""
        groups = self.c.groups

        def share(score: Decimal | None, group: str) -> tuple[int, int]:
            if same_max:
                raise AssertionError  # keys are the scores themselves
            c_, d_ = ratios[group]
            if not c_:
                return (0, 1)
            a_, b_ = _z(score).as_integer_ratio()
            return (a_ * d_, b_ * c_)

        def fresh(
            column: Sequence[Decimal | None], also: Sequence[tuple[int, int]] = ()
        ) -> tuple[int, list[Any]]:
            """Keys of the column on a denominator that holds its shares and `also`."""
            keys: list[Any] = [None] * len(column)
            if same_max:
                for i in ranked:
                    keys[i] = _z(column[i])
                return 1, keys
            shares = {i: share(column[i], groups[i]) for i in ranked}
            common = lcm(*{den for _, den in [*shares.values(), *also]})
            for i, (num, den) in shares.items():
                keys[i] = num * (common // den)
            return common, keys

        kept = _kept_keys(self.old, name)
        if kept is None:
            before = [score_of(i) for i in range(len(groups))]
            for j in movers:
                before[j] = was[j]
            kept = fresh(before)
        common, old_keys = kept
        old = {j: old_keys[j] for j in movers}
        keys = list(old_keys)
        for j in movers:
            if same_max:
                keys[j] = _z(score_of(j))
                continue
            num, den = share(score_of(j), groups[j])
            if common % den:
                # A share the common denominator cannot hold: every key again, on one that
                # holds the movers' earlier shares too (they are compared with the new keys).
                earlier = {m: share(was[m], groups[m]) for m in movers}
                common, keys = fresh(
                    [score_of(i) for i in range(len(groups))], list(earlier.values())
                )
                old = {m: n * (common // d) for m, (n, d) in earlier.items()}
                break
            keys[j] = num * (common // den)
        self.keys[name] = (common, keys)
        return keys, old

    def _ranking(
        self,
        name: str,
        score_of: Callable[[int], Decimal | None],
        max_of: Callable[[int], Decimal],
    ) -> tuple[dict[int, None], bool, dict[str, tuple[int, int]]]:
        """Who is ranked, whether on points (one max) or on shares, and each group's max as
        an integer ratio: all fixed by the units and the statuses, so kept in the context."""
        kept = self.c.rankings.get(name)
        if kept is None:
            units = self.c.units
            ranked = dict.fromkeys(
                i for i, u in enumerate(units) if u.ranked and score_of(i) is not None
            )
            same_max = len({max_of(i) for i in ranked}) <= 1
            ratios = {units[i].group: max_of(i).as_integer_ratio() for i in range(len(units))}
            kept = (ranked, same_max, ratios)
            self.c.rankings[name] = kept
        return kept

    def _period(
        self,
        touched: Mapping[int, object],
        nodes: set[str],
        pillars: set[str],
        findings: dict[int, list[Finding]],
        redone: dict[int, _Redone],
    ) -> PeriodResult:
        c, old, results = self.c, self.old, self.results
        ordered = [code for code in c.tree.nodes if code in nodes]
        averages = _averages_of(old.averages, results, ordered, pillars, c.decimals)
        group_averages = dict(old.group_averages)
        for g in {results[i].group for i in touched}:
            at = c.positions[g]
            group_averages[g] = _averages_of(
                old.group_averages[g], [results[i] for i in at], ordered, pillars, c.decimals
            )
        pillar_band_counts = dict(old.pillar_band_counts)
        for p in pillars:
            pillar_band_counts[p] = _band_counts(
                [r.pillars[p].band for r in results], band_labels(c.pillar_scheme)
            )
        kept, notes = self._findings(findings, redone)
        return PeriodResult(
            units=tuple(results),
            averages=averages,
            group_averages=group_averages,
            band_counts=_band_counts([r.band for r in results], band_labels(c.total_scheme)),
            pillar_band_counts=pillar_band_counts,
            findings=kept,
            notes=notes,
            engine_version=old.engine_version,
        )

    def _findings(
        self, new: dict[int, list[Finding]], redone: dict[int, _Redone]
    ) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
        """The kept findings and notes with each touched unit's redone nodes replaced, in the
        engine's order: by unit, then node (pillars and TOTAL after the nodes), then kind."""
        c = self.c
        last = len(c.node_index)

        def key(f: Finding) -> tuple[int, str]:
            return (c.node_index.get(f.node, last), f.kind)

        def informational(f: Finding) -> bool:
            return f.kind == "missing" and c.unit_status[c.index[f.unit]].get(f.node) == INFO

        def unit_of(f: Finding) -> int:
            return c.index[f.unit]

        out: list[tuple[Finding, ...]] = []
        for listed, as_notes in ((self.old.findings, False), (self.old.notes, True)):
            if len(new) <= _FEW:
                # A few units: their blocks found by bisection (the list is sorted by unit).
                pieces: list[Sequence[Finding]] = []
                start = 0
                for i in sorted(new):
                    low = bisect_left(listed, i, lo=start, key=unit_of)
                    high = bisect_right(listed, i, lo=low, key=unit_of)
                    kept = [f for f in listed[low:high] if not _redone(f, redone[i])]
                    fresh = [f for f in new[i] if informational(f) == as_notes]
                    pieces += [listed[start:low], sorted(kept + fresh, key=key)]
                    start = high
                pieces.append(listed[start:])
                out.append(tuple(chain.from_iterable(pieces)))
                continue
            by_unit: dict[int, list[Finding]] = {}
            for f in listed:
                by_unit.setdefault(c.index[f.unit], []).append(f)
            for i, found in new.items():
                kept = [f for f in by_unit.get(i, []) if not _redone(f, redone[i])]
                fresh = [f for f in found if informational(f) == as_notes]
                by_unit[i] = sorted(kept + fresh, key=key)
            out.append(tuple(f for i in sorted(by_unit) for f in by_unit[i]))
        return out[0], out[1]


# Rank keys of recent results, (a weak reference to the result, {ranking: (common denominator,
# keys)}), most recent first: a result the caller let go is not held here.
_KEYS: list[tuple[weakref.ref[PeriodResult], dict[str, tuple[int, list[Any]]]]] = []


def _kept_keys(result: PeriodResult, name: str) -> tuple[int, list[Any]] | None:
    for held, keys in _KEYS:
        if held() is result:
            return keys.get(name)
    return None


def _keep_keys(
    new: PeriodResult, old: PeriodResult, changed: Mapping[str, tuple[int, list[Any]] | None]
) -> None:
    """The new result's keys: the old result's, with those this edit changed or lost (the
    lists are never changed once kept; an edit works on a copy)."""
    keys: dict[str, tuple[int, list[Any]]] = {}
    for held, kept in _KEYS:
        if held() is old:
            keys.update(kept)
    for name, value in changed.items():
        if value is None:
            keys.pop(name, None)
        else:
            keys[name] = value
    _KEYS.insert(0, (weakref.ref(new), keys))
    del _KEYS[_KEEP:]


# A touched unit's findings worked out again: every finding at the first set's nodes, and the
# given-score check (node_sum) at the second's.
_Redone = tuple[set[str], set[str]]


def _redone(finding: Finding, redone: _Redone) -> bool:
    nodes, sums = redone
    return finding.node in nodes or (finding.kind == "node_sum" and finding.node in sums)


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    """The same score, to the exponent and the sign (2.50 is not 2.5 for a reader's digest)."""
    if a is None or b is None:
        return a is b
    return a == b and not a.compare_total(b)


_T = TypeVar("_T")


def _with(result: _T, **changes: object) -> _T:
    """`dataclasses.replace` for the engine's frozen results, without its per-call inspection of
    the fields (a relative column re-scores thousands of units): a copy of the instance's
    attributes with `changes` over them. The result classes have no __post_init__ or slots; not
    for PeriodResult, whose cached index by unit code would be copied (it is built anew)."""
    copy = object.__new__(type(result))
    attributes = copy.__dict__
    attributes.update(result.__dict__)
    attributes.update(changes)
    return copy


def _averages_of(
    old: Averages,
    results: Sequence[UnitResult],
    nodes: Sequence[str],
    pillars: set[str],
    decimals: int,
) -> Averages:
    """`engine._averages` over `results`, with only the columns of `nodes` and `pillars` (the
    ones that moved) averaged again; the others are kept."""
    averaged = dict(old.nodes)
    for code in nodes:
        scores = [r.nodes[code] for r in results]
        present = [s for s in scores if s is not None] if has_none(scores) else scores
        averaged[code] = mean(present, decimals)  # type: ignore[arg-type]  # None filtered out
    kept = dict(old.pillars)
    for p in kept:
        if p in pillars:
            kept[p] = mean([r.pillars[p].score for r in results], decimals)
    return Averages(
        total=mean([r.total for r in results], decimals),
        percent=mean([r.percent for r in results], decimals),
        nodes=averaged,
        pillars=kept,
    )
