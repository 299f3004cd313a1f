"""Ranking tables as the province reports print them, built from the engine's output only: by
total, by pillar or by main index, for all ranked units or one ranking group, with the average
row (Trung bình), band counts and the change against the previous period. No queries here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from opendti.core.vietnamese import sort_key
from opendti.scoring.compare import PeriodChange
from opendti.scoring.model import Assessment, PeriodResult, UnitResult
from opendti.scoring.ranking import competition_ranks

from . import band_detail

TOTAL = "total"


@dataclass(frozen=True)
class Column:
    key: str  # what the view sorts by
    label: str


@dataclass(frozen=True)
class Row:
    unit: str
    name: str
    group: str
    ranked: bool
    rank: int | None
    score: Decimal | None
    max_points: Decimal | None
    percent: Decimal | None
    band: str | None
    parts: tuple[Decimal | None, ...]  # the main indices shown beside the score
    pillars: tuple[tuple[Decimal, int | None], ...]  # (score, rank) per pillar, total view only
    change: Decimal | None
    change_via: str
    # The percent with the decimals that show why the band is what it is, where the rounded one
    # reads into another band (results.band_detail); None otherwise.
    percent_detail: Decimal | None = None

    @property
    def percent_shown(self) -> Decimal | None:
        return band_detail.shown(self.percent, self.percent_detail)


@dataclass(frozen=True)
class Table:
    view: str  # TOTAL, a pillar code or a main index code
    title: str
    group: str | None
    parts: tuple[Column, ...]
    pillars: tuple[Column, ...]
    rows: tuple[Row, ...]
    average: Row
    band_counts: dict[str, int] = field(default_factory=dict)
    most_improved: tuple[str, ...] = ()
    average_change: Decimal | None = None
    # The ranked units' applicable maxima differ (applies_to, not-deployed indicators): the rank
    # is then by share of the maximum, as the engine ranks, and the pages say so.
    by_share: bool = False

    @property
    def has_percent_detail(self) -> bool:
        """Whether a row shows its percent with more decimals (the note then goes under it)."""
        return any(row.percent_detail is not None for row in self.rows)


def views(assessment: Assessment) -> list[Column]:
    """What a ranking can be by: the total, each pillar, each main index."""
    framework = assessment.framework
    return [
        Column(TOTAL, _("Tổng điểm")),
        *(Column(p.code, p.name) for p in framework.pillars),
        *(Column(n.code, n.name) for n in framework.nodes if n.kind == "main"),
    ]


def ranks_by_share(units: Iterable[UnitResult]) -> bool:
    """Whether these units' total ranks order them by share of their applicable maximum (the
    engine's rule where the ranked units' maxima differ) rather than by points."""
    return len({u.max_points for u in units if u.ranked and u.rank is not None}) > 1


def share_basis() -> str:
    """What a ranking by share says about itself (pages, reports, workbooks)."""
    return _(
        "Các đơn vị có điểm tối đa áp dụng khác nhau (có chỉ số chỉ áp dụng cho một số nhóm "
        "hoặc chưa triển khai), nên thứ hạng xếp theo tỷ lệ điểm đạt trên điểm tối đa áp dụng "
        "của từng đơn vị, không theo số điểm."
    )


def _share(score: Decimal, maximum: Decimal | None) -> Fraction:
    # Ranks on the exact share of the applicable max, as the engine does when maxima differ.
    return Fraction(score) / Fraction(maximum) if maximum else Fraction(score)


def ranking_table(
    assessment: Assessment,
    result: PeriodResult,
    *,
    view: str = TOTAL,
    group: str | None = None,
    change: PeriodChange | None = None,
) -> Table:
    framework = assessment.framework
    decimals = assessment.settings.decimals
    mains = [n for n in framework.nodes if n.kind == "main"]
    pillar_codes = [p.code for p in framework.pillars]
    units = [u for u in result.units if group is None or u.group == group]
    changes = {c.unit: c for c in change.units} if change else {}
    labels = {c.key: c.label for c in views(assessment)}
    if view not in labels:
        raise KeyError(view)

    if view == TOTAL:
        shown = mains
    elif view in pillar_codes:
        members = _pillar_mains(assessment, view)
        shown = [n for n in mains if n.code in members]
    else:
        shown = []

    def score_of(
        unit: UnitResult,
    ) -> tuple[Decimal | None, Decimal | None, Decimal | None, str | None, Decimal | None]:
        if view == TOTAL:
            return unit.total, unit.max_points, unit.percent, unit.band, unit.percent_detail
        if view in pillar_codes:
            p = unit.pillars[view]
            return p.score, p.max_points, p.percent, p.band, p.percent_detail
        score, maximum = unit.nodes.get(view), unit.node_max.get(view)
        percent = None
        if score is not None and maximum:
            percent = (score * 100 / maximum).quantize(Decimal(1).scaleb(-decimals))
        return score, maximum, percent, None, None

    ranks: dict[str, int] = {}
    if view == TOTAL:
        ranks = {u.code: r for u in units if (r := u.group_rank if group else u.rank) is not None}
    elif view in pillar_codes:
        ranks = {
            u.code: r
            for u in units
            if (r := (u.pillars[view].group_rank if group else u.pillars[view].rank)) is not None
        }
    else:
        ranks = competition_ranks(
            (u.code, _share(s, u.node_max.get(view)))
            for u in units
            if u.ranked and (s := u.nodes.get(view)) is not None
        )

    rows = []
    for unit in units:
        score, maximum, percent, band, detail = score_of(unit)
        unit_change = changes.get(unit.code)
        rows.append(
            Row(
                unit=unit.code,
                name=unit.name,
                group=unit.group,
                ranked=unit.ranked,
                rank=ranks.get(unit.code),
                score=score,
                max_points=maximum,
                percent=percent,
                band=band,
                parts=tuple(unit.nodes.get(n.code) for n in shown),
                pillars=tuple(
                    (
                        unit.pillars[c].score,
                        unit.pillars[c].group_rank if group else unit.pillars[c].rank,
                    )
                    for c in pillar_codes
                )
                if view == TOTAL
                else (),
                change=unit_change.change if unit_change and view == TOTAL else None,
                change_via=unit_change.via if unit_change else "none",
                percent_detail=detail,
            )
        )
    # By rank; units of the same rank in Vietnamese alphabetical order.
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, sort_key(r.name)))

    averages = result.group_averages.get(group, result.averages) if group else result.averages
    if view == TOTAL:
        average_score = averages.total
    elif view in pillar_codes:
        average_score = averages.pillars.get(view)
    else:
        average_score = averages.nodes.get(view)
    average = Row(
        unit="",
        name=_("Trung bình"),
        group=group or "",
        ranked=False,
        rank=None,
        score=average_score,
        max_points=None,
        percent=averages.percent if view == TOTAL else None,
        band=None,
        parts=tuple(averages.nodes.get(n.code) for n in shown),
        pillars=tuple((averages.pillars[c] or Decimal(0), None) for c in pillar_codes)
        if view == TOTAL
        else (),
        change=change.average_change if change and view == TOTAL and group is None else None,
        change_via="",
    )
    # Units taking part without being ranked are still classified: counted, as the engine does.
    counts: dict[str, int] = {}
    for row in rows:
        if row.band is not None:
            counts[row.band] = counts.get(row.band, 0) + 1
    return Table(
        view=view,
        title=labels[view],
        group=group,
        parts=tuple(Column(n.code, n.name) for n in shown),
        pillars=tuple(Column(p.code, p.name) for p in framework.pillars) if view == TOTAL else (),
        rows=tuple(rows),
        average=average,
        band_counts=counts,
        most_improved=change.most_improved if change else (),
        average_change=average.change,
        by_share=len({r.max_points for r in rows if r.rank is not None}) > 1,
    )


def _pillar_mains(assessment: Assessment, pillar: str) -> set[str]:
    """The main indices that count toward a pillar, directly or through a parent group."""
    nodes = {n.code: n for n in assessment.framework.nodes}
    members = set()
    for node in assessment.framework.nodes:
        if node.kind != "main":
            continue
        current = node
        while True:
            if pillar in current.pillars:
                members.add(node.code)
                break
            if current.parent is None:
                break
            current = nodes[current.parent]
    return members
