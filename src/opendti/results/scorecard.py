"""A unit's scorecard: its scores at every node against the average and the best unit, its
strengths and weaknesses, the points it lacks for the next band and where they are cheapest to
get. Built from the engine's output only; no queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from opendti.scoring.bands import DISPLAYED, points_to_band
from opendti.scoring.model import Assessment, BandScheme, PeriodResult, Settings, UnitResult


@dataclass(frozen=True)
class NodeLine:
    code: str
    name: str
    kind: str
    depth: int
    score: Decimal | None
    max_points: Decimal | None
    average: Decimal | None
    best: Decimal | None
    percent: Decimal | None  # of the node's applicable max
    average_percent: Decimal | None


@dataclass(frozen=True)
class Opportunity:
    """Points a unit lacks on one indicator, and how many of them another unit already gets."""

    code: str
    name: str
    score: Decimal
    max_points: Decimal
    missing: Decimal  # max - score
    reached_by_best: Decimal  # best unit's score - score (points shown to be attainable)
    cumulative: Decimal  # reached_by_best summed down the ranked list


@dataclass(frozen=True)
class NextBand:
    band: str
    threshold: Decimal  # in points, for this unit's applicable max
    inclusive: bool  # False: the score must be more than the threshold
    missing: Decimal  # the fewest points (in the period's steps) that reach the band


@dataclass(frozen=True)
class Scorecard:
    unit: UnitResult
    lines: tuple[NodeLine, ...]
    strengths: tuple[NodeLine, ...]
    weaknesses: tuple[NodeLine, ...]
    next_band: NextBand | None
    opportunities: tuple[Opportunity, ...]


def _percent(score: Decimal | None, maximum: Decimal | None) -> Decimal | None:
    if score is None or not maximum:
        return None
    return (score * 100 / maximum).quantize(Decimal("0.01"))


def next_band(
    unit: UnitResult, scheme: BandScheme | None, settings: Settings | None = None
) -> NextBand | None:
    """The band just above the unit's, its bound in points and the points the unit lacks: decided
    as the engine decides bands (`scoring.bands`), on the exact share unless the period
    classifies on the rounded percent."""
    if scheme is None or unit.band is None:
        return None
    settings = settings or Settings()
    labels = [b.label for b in scheme.bands]
    position = labels.index(unit.band)
    if position == 0:
        return None  # already in the top band
    target = scheme.bands[position - 1]
    missing = points_to_band(
        unit.total,
        unit.max_points,
        scheme,
        target,
        band_on=settings.band_on,
        decimals=settings.decimals,
    )
    if missing is None or target.lower is None:
        return None
    if scheme.basis == "points":
        return NextBand(target.label, target.lower, target.lower_inclusive, missing)
    if settings.band_on == DISPLAYED:
        # The bound is where the rounded percent first reads into the band: a score to reach.
        return NextBand(target.label, unit.total + missing, True, missing)
    threshold = target.lower * unit.max_points / 100
    return NextBand(target.label, threshold, target.lower_inclusive, missing)


def unit_scorecard(assessment: Assessment, result: PeriodResult, unit_code: str) -> Scorecard:
    unit = result.unit(unit_code)
    framework = assessment.framework
    nodes = {n.code: n for n in framework.nodes}
    depth: dict[str, int] = {}
    for node in framework.nodes:
        depth[node.code] = 0 if node.parent is None else depth[node.parent] + 1
    others = [u for u in result.units if u.ranked]
    lines = []
    for node in framework.nodes:
        scores = [s for u in others if (s := u.nodes.get(node.code)) is not None]
        best = max(scores) if scores else None
        average = result.averages.nodes.get(node.code)
        maximum = unit.node_max.get(node.code)
        lines.append(
            NodeLine(
                code=node.code,
                name=node.name,
                kind=node.kind,
                depth=depth[node.code],
                score=unit.nodes.get(node.code),
                max_points=maximum,
                average=average,
                best=best,
                percent=_percent(unit.nodes.get(node.code), maximum),
                average_percent=_percent(average, maximum),
            )
        )
    # Strengths and weaknesses: main indices by the unit's share of max against the average's.
    gaps = [
        (line.percent - line.average_percent, line)
        for line in lines
        if line.kind == "main" and line.percent is not None and line.average_percent is not None
    ]
    gaps.sort(key=lambda item: item[0])
    strengths = tuple(line for gap, line in reversed(gaps) if gap > 0)
    weaknesses = tuple(line for gap, line in gaps if gap < 0)

    # Cheapest first: points another unit already gets on the indicator (shown to be
    # attainable), then the most points left on it.
    candidates: list[tuple[Decimal, Decimal, NodeLine, Decimal]] = []
    for line in lines:
        node = nodes[line.code]
        if node.rule is None or not node.scored:
            continue
        if line.score is None or line.max_points is None or line.score >= line.max_points:
            continue
        reached = max((line.best or Decimal(0)) - line.score, Decimal(0))
        candidates.append((line.score, line.max_points, line, reached))
    candidates.sort(key=lambda c: (-c[3], -(c[1] - c[0]), c[2].code))
    cumulative = Decimal(0)
    opportunities = []
    for score, maximum, line, reached in candidates:
        cumulative += reached
        opportunities.append(
            Opportunity(line.code, line.name, score, maximum, maximum - score, reached, cumulative)
        )
    return Scorecard(
        unit=unit,
        lines=tuple(lines),
        strengths=strengths,
        weaknesses=weaknesses,
        next_band=next_band(unit, framework.total_bands, assessment.settings),
        opportunities=tuple(opportunities),
    )
