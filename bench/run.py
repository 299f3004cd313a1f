"""Time the scoring engine on a national-size period, against a plain NumPy floor.

The floor does the same arithmetic as the engine, vectorised per indicator on float64 arrays:
each leaf's rule, half-up rounding per leaf, sums up the tree, pillar sums, totals, percent,
bands, competition ranks (overall and per group) and averages. It shows how far the exact
Decimal engine is from what plain array arithmetic costs; the two must agree on every unit's
total to within 0.01, which checks that the floor really is the same arithmetic.

    .venv/bin/python -m bench.run            # 5 runs each; writes bench/results.json
    .venv/bin/python -m bench.run --runs 9 --profile
    .venv/bin/python -m bench.run --runs 9 --clock cpu   # CPU time: for a machine doing other work
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import operator
import platform
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parent / "src") not in sys.path:
    sys.path.insert(0, str(HERE.parent / "src"))

from opendti.scoring.engine import score_period  # noqa: E402
from opendti.scoring.model import Assessment, PeriodResult  # noqa: E402
from opendti.scoring.tree import IN, INFO, OUT, ZERO_SCORE, node_status, prepare  # noqa: E402

if __package__ in (None, ""):
    sys.path.insert(0, str(HERE.parent))
from bench.generate import generate  # noqa: E402

Array = np.ndarray
EPS = 1e-9  # rounding half-up on floats: a tie stored as x.xx4999... still goes up


# --- the NumPy floor: data prepared once, outside the timing ------------------------------------


class Floor:
    """The period as float64 arrays: one array per leaf input, NaN where no value was given."""

    def __init__(self, assessment: Assessment) -> None:
        self.assessment = assessment
        self.tree = tree = prepare(assessment.framework)
        units = assessment.units
        self.groups = sorted({u.group for u in units})
        self.group_of = np.array([self.groups.index(u.group) for u in units], dtype=np.intp)
        self.ranked = np.array([u.ranked for u in units], dtype=bool)
        status = {g: node_status(tree, g, assessment.settings.not_deployed) for g in self.groups}
        # Per node: is the node counted for each group ("in" or "zero") and is it out.
        self.counted = {
            c: np.array([status[g][c] in (IN, ZERO_SCORE) for g in self.groups]) for c in tree.nodes
        }
        self.out = {c: np.array([status[g][c] == OUT for g in self.groups]) for c in tree.nodes}
        if any(s == INFO for st in status.values() for s in st.values()):
            raise NotImplementedError("the floor does not model informational nodes")
        self.inputs: dict[str, dict[str, Array]] = {}
        self.choice_tables: dict[str, tuple[Array, Array]] = {}
        for code, node in tree.nodes.items():
            if node.rule is None:
                continue
            column = assessment.values.get(code, {})
            names = [spec.name for spec in node.rule.inputs]
            if node.rule.name == "choice":
                points = {str(k): Decimal(str(v)) for k, v in node.rule.params["choices"].items()}
                options = list(points)
                codes = np.full(len(units), -1, dtype=np.intp)
                present = np.zeros(len(units), dtype=bool)
                for i, u in enumerate(units):
                    value = column.get(u.code, {}).get("")
                    if value is not None:
                        present[i] = True
                        codes[i] = options.index(value) if value in options else len(options)
                table = np.array([float(points[o]) for o in options] + [0.0])
                self.choice_tables[code] = (codes, present)
                self.inputs[code] = {"table": table}
                continue
            arrays = {}
            for name in names:
                arrays[name] = np.array(
                    [_float(column.get(u.code, {}).get(name)) for u in units], dtype=np.float64
                )
            self.inputs[code] = arrays
        self.max_points = {c: float(n.max_points) for c, n in tree.nodes.items()}
        self.decimals = assessment.settings.decimals
        scheme = assessment.framework.total_bands
        assert scheme is not None and scheme.basis == "percent"
        self.band_lowers = [float(b.lower) for b in scheme.bands if b.lower is not None]
        self.band_labels = [b.label for b in scheme.bands]


def _float(value: object) -> float:
    if value is None:
        return np.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    return float(value)  # type: ignore[arg-type]


def _round(x: Array, decimals: int) -> Array:
    scale = 10.0**decimals
    return np.sign(x) * np.floor(np.abs(x) * scale + 0.5 + EPS) / scale


def _param(params: Any, key: str, default: float) -> float:
    raw = params.get(key)
    return default if raw is None else float(Decimal(str(raw)))


_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


def _formula(node: ast.AST, env: dict[str, Array]) -> tuple[Array, Array]:
    """Evaluate a formula on arrays: (values, where a division by zero happened on the path)."""
    n = len(next(iter(env.values())))
    if isinstance(node, ast.Constant):
        return np.full(n, float(node.value)), np.zeros(n, dtype=bool)
    if isinstance(node, ast.Name):
        return env[node.id], np.zeros(n, dtype=bool)
    if isinstance(node, ast.BinOp):
        (a, bad_a), (b, bad_b) = _formula(node.left, env), _formula(node.right, env)
        if isinstance(node.op, ast.Div):
            zero = b == 0
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(zero, 0.0, a / np.where(zero, 1.0, b)), bad_a | bad_b | zero
        return _OPS[type(node.op)](a, b), bad_a | bad_b
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        a, bad = _formula(node.operand, env)
        return -a, bad
    if isinstance(node, ast.Compare):
        (a, bad_a), (b, bad_b) = _formula(node.left, env), _formula(node.comparators[0], env)
        return _OPS[type(node.ops[0])](a, b).astype(np.float64), bad_a | bad_b
    if isinstance(node, ast.IfExp):
        test, bad_t = _formula(node.test, env)
        (body, bad_b), (other, bad_o) = _formula(node.body, env), _formula(node.orelse, env)
        chosen = test != 0
        return np.where(chosen, body, other), bad_t | np.where(chosen, bad_b, bad_o)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        parts = [_formula(arg, env) for arg in node.args]
        reduce = {"min": np.minimum, "max": np.maximum}[node.func.id]
        value, bad = parts[0]
        for other, other_bad in parts[1:]:
            value, bad = reduce(value, other), bad | other_bad
        return value, bad
    raise NotImplementedError(ast.dump(node))


def _leaf(floor: Floor, code: str, scored: Array) -> Array:
    """A leaf's unrounded scores for every unit (0 where not scored or no value)."""
    rule = floor.tree.nodes[code].rule
    assert rule is not None
    m, params, x = floor.max_points[code], rule.params, floor.inputs[code]
    name = rule.name
    if name == "yes_no":
        v = x[""]
        raw = np.where(v == 1.0, _param(params, "yes", m), _param(params, "no", 0.0))
        return np.where(np.isnan(v) | ~scored, 0.0, raw)
    if name == "ratio":
        num, den = x["numerator"], x["denominator"]
        target = _param(params, "target", 1.0)
        zero_score = m if params.get("zero_denominator") == "full" else 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = np.where(den <= 0, zero_score, np.clip(num * (m / target) / den, 0.0, m))
        return np.where(np.isnan(num) | np.isnan(den) | ~scored, 0.0, raw)
    if name == "tiers":
        v = x[""]
        inclusive = params.get("inclusive", True)
        tiers = params["tiers"]
        conditions = [(v >= float(t["min"])) if inclusive else (v > float(t["min"])) for t in tiers]
        raw = np.select(conditions, [float(t["points"]) for t in tiers], _param(params, "else", 0))
        return np.where(np.isnan(v) | ~scored, 0.0, raw)
    if name == "linear":
        v, start, end = x[""], _param(params, "from", 0), _param(params, "to", 0)
        raw = np.clip((v - start) * (m / (end - start)), 0.0, m)
        return np.where(np.isnan(v) | ~scored, 0.0, raw)
    if name == "count":
        v = x[""]
        raw = np.clip(v * _param(params, "points_each", 0), 0.0, _param(params, "cap", m))
        return np.where(np.isnan(v) | ~scored, 0.0, raw)
    if name == "manual":
        v = x[""]
        return np.where(np.isnan(v) | ~scored, 0.0, np.clip(v, 0.0, m))
    if name == "choice":
        codes, present = floor.choice_tables[code]
        return np.where(present & scored, x["table"][codes], 0.0)
    if name == "formula":
        tree = ast.parse(str(params["expression"]).strip(), mode="eval").body
        value, bad = _formula(tree, x)
        missing = np.zeros(len(scored), dtype=bool)
        for v in x.values():
            missing |= np.isnan(v)
        return np.where(missing | bad | ~scored, 0.0, np.clip(value, 0.0, m))
    if name == "relative":
        return _relative(floor, params, m, x[""], scored)
    raise NotImplementedError(name)


def _relative(floor: Floor, params: Any, m: float, v: Array, scored: Array) -> Array:
    method = params.get("method", "min_max")
    higher = params.get("higher_is_better", True)
    present = scored & ~np.isnan(v)
    out = np.zeros(len(v))
    if params.get("scope", "period") == "group":
        scopes = [present & (floor.group_of == g) for g in range(len(floor.groups))]
    else:
        scopes = [present]
    for scope in scopes:
        if not scope.any():
            continue
        values = v[scope]
        low, high = values.min(), values.max()
        with np.errstate(divide="ignore", invalid="ignore"):
            if method == "min_max":
                if high == low:
                    scores = np.full(len(values), m)
                else:
                    share = (
                        (values - low) / (high - low) if higher else (high - values) / (high - low)
                    )
                    scores = share * m
            elif higher:
                scores = np.clip(values * m / high, 0.0, m) if high > 0 else np.zeros(len(values))
            else:
                scores = np.where(values <= 0, m, np.clip(low * m / values, 0.0, m))
        out[scope] = scores
    return out


def _ranks(keys: Array, eligible: Array) -> Array:
    """Competition ranks (1, 2, 2, 4) of keys, highest first; 0 where not eligible."""
    ranks = np.zeros(len(keys), dtype=np.int64)
    index = np.flatnonzero(eligible)
    if not len(index):
        return ranks
    order = index[np.argsort(-keys[index], kind="stable")]
    ordered = keys[order]
    starts = np.empty(len(order), dtype=bool)
    starts[0] = True
    starts[1:] = ordered[1:] != ordered[:-1]
    positions = np.arange(1, len(order) + 1)
    ranks[order] = np.maximum.accumulate(np.where(starts, positions, 0))
    return ranks


def _sum_present(columns: list[Array], counted: list[Array], decimals: int) -> Array:
    """Sum where counted and present; NaN where no part is."""
    stacked = np.stack([np.where(c, col, np.nan) for col, c in zip(columns, counted, strict=True)])
    total = np.round(np.nansum(stacked, axis=0), decimals)  # sums of exact 2-decimal scores
    return np.where(np.isnan(stacked).all(axis=0), np.nan, total)


def floor_score(floor: Floor) -> dict[str, Any]:
    tree, g, decimals = floor.tree, floor.group_of, floor.decimals
    n_groups = len(floor.groups)
    columns: dict[str, Array] = {}
    maxima: dict[str, Array] = {}  # per group
    for code in tree.post_order:
        out = floor.out[code][g]
        if tree.is_leaf(code):
            raw = _leaf(floor, code, ~out)
            columns[code] = np.where(out, np.nan, _round(raw, decimals))
            maxima[code] = np.where(floor.out[code], np.nan, floor.max_points[code])
        else:
            children = tree.children[code]
            summed = _sum_present(
                [columns[c] for c in children], [floor.counted[c][g] for c in children], decimals
            )
            columns[code] = np.where(out, np.nan, summed)
            maxima[code] = np.nansum(
                [np.where(floor.counted[c], maxima[c], np.nan) for c in children], axis=0
            )

    def total_of(codes: list[str]) -> tuple[Array, Array]:
        counted = [floor.counted[c][g] for c in codes]
        scores = _sum_present([columns[c] for c in codes], counted, decimals)
        group_max = np.nansum([np.where(floor.counted[c], maxima[c], 0.0) for c in codes], axis=0)
        return scores, group_max

    def ranked(scores: Array, group_max: Array) -> tuple[Array, Array]:
        unit_max = group_max[g]
        eligible = floor.ranked & ~np.isnan(scores)
        same_max = len(np.unique(unit_max[eligible])) <= 1
        keys = np.nan_to_num(scores)
        if not same_max:
            # Shares of differing maxima; rounded so that equal fractions compare equal.
            keys = np.round(keys / unit_max, 12)
        overall = _ranks(keys, eligible)
        by_group = np.zeros(len(keys), dtype=np.int64)
        for k in range(n_groups):
            inside = g == k
            by_group[inside] = _ranks(keys[inside], eligible[inside])
        return overall, by_group

    def share_of(scores: Array, group_max: Array) -> Array:
        unit_max = group_max[g]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(unit_max > 0, np.nan_to_num(scores) * 100.0 / unit_max, 0.0)

    def bands(share: Array) -> Array:
        # On the share itself, as the engine decides bands (never on the rounded percent).
        band = np.full(len(share), len(floor.band_lowers), dtype=np.intp)
        for k in reversed(range(len(floor.band_lowers))):
            band = np.where(share >= floor.band_lowers[k], k, band)
        return band

    totals, total_max = total_of(tree.roots)
    share = share_of(totals, total_max)
    percent = _round(share, decimals)
    index = _round(np.nan_to_num(totals) / total_max[g], 4)
    rank, group_rank = ranked(totals, total_max)
    band = bands(share)
    pillars = {}
    for code, members in tree.pillar_members.items():
        scores, p_max = total_of(members)
        p_share = share_of(scores, p_max)
        p_rank, p_group_rank = ranked(scores, p_max)
        pillars[code] = (
            np.nan_to_num(scores),
            _round(p_share, decimals),
            bands(p_share),
            p_rank,
            p_group_rank,
        )

    def averages(select: Array) -> dict[str, Any]:
        return {
            "total": _round(np.array([np.nan_to_num(totals)[select].mean()]), decimals)[0],
            "percent": _round(np.array([percent[select].mean()]), decimals)[0],
            "nodes": {
                c: _round(np.array([np.nanmean(col[select])]), decimals)[0]
                if not np.isnan(col[select]).all()
                else None
                for c, col in columns.items()
            },
            "pillars": {
                p: _round(np.array([v[0][select].mean()]), decimals)[0] for p, v in pillars.items()
            },
        }

    return {
        "columns": columns,
        "totals": np.nan_to_num(totals),
        "percent": percent,
        "index": index,
        "rank": rank,
        "group_rank": group_rank,
        "band_counts": np.bincount(band, minlength=len(floor.band_labels)),
        "pillars": pillars,
        "averages": averages(np.ones(len(g), dtype=bool)),
        "group_averages": {name: averages(g == k) for k, name in enumerate(floor.groups)},
    }


# --- the benchmark -----------------------------------------------------------------------------


def digest(result: PeriodResult) -> str:
    """A fingerprint of everything the engine returns, to see that an optimisation changed none."""
    h = hashlib.sha256()
    for u in result.units:
        h.update(repr((u.code, u.group, u.ranked, u.total, u.max_points, u.percent)).encode())
        h.update(repr((u.index, u.band, u.rank, u.group_rank)).encode())
        h.update(repr(list(u.nodes.items())).encode())
        h.update(repr(list(u.node_max.items())).encode())
        h.update(repr(list(u.pillars.items())).encode())
    for averages in (result.averages, *result.group_averages.values()):
        h.update(repr(averages).encode())
    h.update(repr(list(result.group_averages)).encode())
    h.update(repr((result.band_counts, result.pillar_band_counts, result.findings)).encode())
    return h.hexdigest()


def _time(
    function: Callable[[], Any], runs: int, clock: Callable[[], float] = time.perf_counter
) -> tuple[list[float], Any]:
    timings, value = [], None
    for _ in range(runs):
        start = clock()
        value = function()
        timings.append(clock() - start)
    return timings, value


def _summary(timings: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(timings), 4),
        "min": round(min(timings), 4),
        "max": round(max(timings), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=HERE / "results.json")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one engine run")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="cpu: this process's CPU time, steadier than the wall clock on a busy machine",
    )
    args = parser.parse_args(argv)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter

    start = time.perf_counter()
    assessment = generate()
    built = time.perf_counter() - start
    start = time.perf_counter()
    floor = Floor(assessment)
    converted = time.perf_counter() - start
    leaves = sum(1 for n in assessment.framework.nodes if n.rule is not None)
    print(
        f"period: {len(assessment.units)} units, {len(assessment.framework.nodes)} nodes "
        f"({leaves} leaves); generated in {built:.2f} s, converted for NumPy in {converted:.2f} s"
    )

    engine_times, result = _time(lambda: score_period(assessment), args.runs, clock)
    numpy_times, floor_result = _time(lambda: floor_score(floor), args.runs, clock)

    engine_totals = np.array([float(u.total) for u in result.units])
    gap = np.abs(engine_totals - floor_result["totals"])
    agree = int((gap <= 0.01 + EPS).sum())
    cells = agreeing_cells = 0
    for code, column in floor_result["columns"].items():
        scores = np.array(
            [np.nan if (v := u.nodes[code]) is None else float(v) for u in result.units]
        )
        close = np.isclose(scores, column, rtol=0, atol=0.005) | (
            np.isnan(scores) & np.isnan(column)
        )
        cells, agreeing_cells = cells + len(close), agreeing_cells + int(close.sum())
    same_rank = int(
        sum(u.rank == (r or None) for u, r in zip(result.units, floor_result["rank"], strict=True))
    )
    engine, floor_summary = _summary(engine_times), _summary(numpy_times)
    ratio = engine["median"] / floor_summary["median"]

    print()
    print(f"{'':24}{'median s':>10}{'min s':>10}{'max s':>10}")
    print(
        f"{'engine (Decimal)':24}{engine['median']:>10.4f}{engine['min']:>10.4f}{engine['max']:>10.4f}"
    )
    row = floor_summary
    print(
        f"{'numpy floor (float64)':24}{row['median']:>10.4f}{row['min']:>10.4f}{row['max']:>10.4f}"
    )
    print(f"{'ratio engine / numpy':24}{ratio:>10.1f}")
    print()
    n = len(result.units)
    print(f"totals agreeing within 0.01: {agree} of {n} (largest gap {gap.max():.4f})")
    print(f"node scores agreeing: {agreeing_cells} of {cells}")
    print(f"overall ranks agreeing: {same_rank} of {n}")
    print(f"findings: {len(result.findings)}; result sha256 {digest(result)[:16]}")

    figures = {
        "units": n,
        "nodes": len(assessment.framework.nodes),
        "leaves": leaves,
        "runs": args.runs,
        "clock": args.clock,
        "engine_seconds": engine,
        "numpy_seconds": floor_summary,
        "ratio_engine_numpy": round(ratio, 2),
        "totals_agreeing": agree,
        "node_scores_agreeing": agreeing_cells,
        "node_scores": cells,
        "ranks_agreeing": same_rank,
        "largest_total_gap": round(float(gap.max()), 6),
        "findings": len(result.findings),
        "result_sha256": digest(result),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": f"{platform.machine()} {platform.system()}",
    }
    args.output.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {args.output}")

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(score_period, assessment)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    return 0 if agree == n else 1


if __name__ == "__main__":
    raise SystemExit(main())
