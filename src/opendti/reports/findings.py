"""Part III's generated findings, from a period's results: the weakest main indices and component
indicators by average share of their maximum, the component indicators most units scored zero
on, and the units that fell back against the previous period.

A share is the sum of the units' scores over the sum of their applicable maxima (units for which
an indicator does not apply, or is not deployed, are left out of both), so an indicator that only
some units are scored on is compared fairly. Shares are printed in percent with one decimal,
rounded half up; everything is Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from opendti import numbers
from opendti.results.source import PeriodScores
from opendti.scoring.model import Node

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")
# How many of each kind the report names: enough to act on, few enough to read.
WEAKEST_MAIN = 3
WEAKEST_COMPONENTS = 5
MOST_ZERO = 5


@dataclass(frozen=True)
class Share:
    code: str
    name: str
    score: Decimal
    max_points: Decimal
    units: int  # units the indicator applies to (with a maximum above zero)
    zero_units: int  # of those, units scored zero

    @property
    def percent(self) -> Decimal:
        return (self.score * HUNDRED / self.max_points).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FellBack:
    name: str
    change: Decimal  # negative


@dataclass(frozen=True)
class Findings:
    weakest_main: tuple[Share, ...]
    weakest_components: tuple[Share, ...]
    most_zero: tuple[Share, ...]
    fell_back: tuple[FellBack, ...]
    compared: bool  # False: the period has no previous period to compare with


def _share(node: Node, scores: PeriodScores) -> Share | None:
    total, maximum, units, zero = Decimal(0), Decimal(0), 0, 0
    for unit in scores.result.units:
        score, top = unit.nodes.get(node.code), unit.node_max.get(node.code)
        if score is None or top is None or top <= 0:
            continue
        total += score
        maximum += top
        units += 1
        zero += score == 0
    if not units:
        return None
    return Share(node.code, node.name, total, maximum, units, zero)


def findings(scores: PeriodScores) -> Findings:
    nodes = [n for n in scores.assessment.framework.nodes if n.scored]
    main = [s for n in nodes if n.kind == "main" if (s := _share(n, scores))]
    components = [s for n in nodes if n.kind == "component" if (s := _share(n, scores))]
    # Lowest share first; ties in the framework's order.
    weakest_main = sorted(main, key=lambda s: s.percent)[:WEAKEST_MAIN]
    weakest_components = sorted(components, key=lambda s: s.percent)[:WEAKEST_COMPONENTS]
    most_zero = sorted(
        (s for s in components if s.zero_units), key=lambda s: (-s.zero_units, s.percent)
    )[:MOST_ZERO]
    names = {u.code: u.name for u in scores.result.units}
    fell_back: list[FellBack] = []
    if scores.change is not None:
        fell_back = sorted(
            (
                FellBack(names[c.unit], c.change)
                for c in scores.change.units
                if c.change is not None and c.change < 0 and c.unit in names
            ),
            key=lambda f: f.change,
        )
    return Findings(
        tuple(weakest_main),
        tuple(weakest_components),
        tuple(most_zero),
        tuple(fell_back),
        scores.change is not None,
    )


def _percent(share: Share) -> str:
    return numbers.vi(share.percent) + "%"


def sentences(found: Findings, *, scope: str = "") -> list[str]:
    """The findings as the report states them ("- Các chỉ số chính có tỷ lệ điểm trung bình thấp
    nhất …"). `scope` names the period or group (" của các Sở, ban, ngành")."""
    out = []
    if found.weakest_main:
        listed = "; ".join(f"{s.name} ({_percent(s)})" for s in found.weakest_main)
        out.append(
            f"- Các chỉ số chính có tỷ lệ điểm trung bình{scope} thấp nhất (so với điểm tối đa): "
            f"{listed}."
        )
    if found.weakest_components:
        listed = "; ".join(f"{s.code} {s.name} ({_percent(s)})" for s in found.weakest_components)
        out.append(f"- Các chỉ số thành phần có tỷ lệ điểm trung bình thấp nhất: {listed}.")
    if found.most_zero:
        listed = "; ".join(
            f"{s.code} {s.name} ({s.zero_units:02d}/{s.units:02d} đơn vị)" for s in found.most_zero
        )
        out.append(f"- Các chỉ số thành phần có nhiều đơn vị đạt 0 điểm nhất: {listed}.")
    if not found.compared:
        out.append("- Kỳ đánh giá này chưa có kỳ trước để so sánh mức tăng, giảm điểm.")
    elif found.fell_back:
        listed = ", ".join(
            f"{f.name} (giảm {numbers.vi(abs(f.change))} điểm)" for f in found.fell_back
        )
        out.append(f"- Có {len(found.fell_back):02d} đơn vị giảm điểm so với kỳ trước: {listed}.")
    else:
        out.append("- Không có đơn vị nào giảm điểm so với kỳ trước.")
    return out
