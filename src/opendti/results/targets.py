"""Targets (mục tiêu) and the progress against them, as Ninh Bình sets them (seed 001: a rank
for the index and each main index, points to keep or reach).

A target belongs to a period: for one unit, or for every unit of a ranking group (a unit's own
target on the same index and measure replaces its group's); on a main index or the total; in
points (at least this many) or a rank (this place or better, ties sharing the better place as
the engine ranks: 1, 1, 3). A unit's rank is its rank within its ranking group where it has one,
as the provinces rank departments and districts apart.

Setting, changing and removing targets goes through `target_set` / `target_remove`, which check
the target, refuse once the period is published (its pages are kept as published) and keep the
change with who, when and why (TargetChange). Progress is computed from the engine's output only
(`progress`), in exact Decimal arithmetic."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.frameworks.models import Node
from opendti.periods.models import Participation, Period, RankingGroup
from opendti.periods.names import group_names
from opendti.scoring.model import Assessment, PeriodResult, UnitResult
from opendti.scoring.ranking import competition_ranks

from .models import Target, TargetChange

TOTAL = ""  # Target.node for the total


def _require_open(period: Period) -> None:
    if period.status == Period.Status.PUBLISHED:
        raise ValidationError(
            _(
                "Kỳ đã công bố kết quả: mục tiêu và ngưỡng phân loại không sửa được nữa (trang "
                "kết quả đã công bố được giữ nguyên)."
            )
        )


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Lý do thay đổi: chưa nhập (bắt buộc, được lưu trong lịch sử)."))
    return reason


def main_indices(period: Period) -> list[tuple[str, str, Decimal]]:
    """(code, name, maximum) of the main indices of the period's framework, in its order."""
    return list(
        Node.objects.filter(framework_id=period.framework_id, kind=Node.Kind.MAIN)
        .order_by("order", "pk")
        .values_list("code", "name", "max_points")
    )


def _describe(target: Target) -> dict[str, str]:
    return {
        "scope": target.scope,
        "subject": target.subject,
        "node": target.node,
        "measure": target.measure,
    }


@transaction.atomic
def target_set(
    *,
    period: Period,
    actor,
    scope: str,
    subject: str,
    node: str,
    measure: str,
    value: Decimal,
    reason: str,
) -> Target:
    """Create or change a target; every check before anything is written."""
    _require_open(period)
    reason = _require_reason(reason)
    value = Decimal(value)
    if scope == Target.Scope.UNIT:
        if not Participation.objects.filter(period=period, unit__code=subject).exists():
            raise ValidationError(_("Đơn vị “%(code)s” không tham gia kỳ này.") % {"code": subject})
    elif scope == Target.Scope.GROUP:
        if not RankingGroup.objects.filter(period=period, code=subject).exists():
            raise ValidationError(
                _("Nhóm xếp hạng “%(code)s” không có trong kỳ này.") % {"code": subject}
            )
    else:
        raise ValidationError(_("Áp dụng cho: chọn một đơn vị hoặc một nhóm xếp hạng."))
    maxima = {code: maximum for code, _name, maximum in main_indices(period)}
    if node != TOTAL and node not in maxima:
        raise ValidationError(
            _("Chỉ số “%(code)s” không phải chỉ số chính của bộ chỉ số của kỳ.") % {"code": node}
        )
    if measure == Target.Measure.RANK:
        if value != value.to_integral_value() or value < 1:
            raise ValidationError(
                _("Thứ hạng mục tiêu: “%(value)s” phải là số nguyên từ 1 trở lên.")
                % {"value": numbers.vi(value, trim=True)}
            )
    elif measure == Target.Measure.POINTS:
        if value < 0:
            raise ValidationError(_("Điểm mục tiêu không được âm."))
        if node != TOTAL and value > maxima[node]:
            raise ValidationError(
                _("Điểm mục tiêu %(value)s lớn hơn điểm tối đa %(max)s của chỉ số chính này.")
                % {
                    "value": numbers.vi(value, trim=True),
                    "max": numbers.vi(maxima[node], trim=True),
                }
            )
    else:
        raise ValidationError(_("Loại mục tiêu: chọn điểm hoặc thứ hạng."))
    target, created = Target.objects.select_for_update().get_or_create(
        period=period,
        scope=scope,
        subject=subject,
        node=node,
        measure=measure,
        defaults={"value": value},
    )
    before = None if created else numbers.plain(target.value)
    if not created:
        if target.value == value:
            return target  # nothing changed: nothing to keep
        target.value = value
        target.save(update_fields=["value"])
    TargetChange.objects.create(
        period=period,
        kind=TargetChange.Kind.SET,
        detail={"target": _describe(target), "before": before, "after": numbers.plain(value)},
        reason=reason,
        actor=actor,
    )
    return target


@transaction.atomic
def target_remove(*, target: Target, actor, reason: str) -> None:
    _require_open(target.period)
    reason = _require_reason(reason)
    TargetChange.objects.create(
        period=target.period,
        kind=TargetChange.Kind.REMOVED,
        detail={"target": _describe(target), "before": numbers.plain(target.value), "after": None},
        reason=reason,
        actor=actor,
    )
    target.delete()


# Progress ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """One unit against one target that applies to it."""

    scope: str
    subject: str  # the unit or the group the target was set for
    subject_name: str
    node: str  # TOTAL or a main index code
    node_name: str
    measure: str
    value: Decimal  # points at least, or the rank to reach (a whole number)
    unit: str
    unit_name: str
    group: str
    actual: Decimal | None  # points, or the rank (a whole number); None: not ranked/no score
    reached: bool | None  # None: cannot be told (an unranked unit against a rank target)
    short: Decimal | None  # points or places still lacking; 0 when reached

    @property
    def is_rank(self) -> bool:
        return self.measure == Target.Measure.RANK


@dataclass(frozen=True)
class GroupProgress:
    """A group's target: how many of the group's units reach it."""

    subject: str
    subject_name: str
    node: str
    node_name: str
    measure: str
    value: Decimal
    reached: int
    units: int  # units the target could be told for
    lines: tuple[Progress, ...]


def _ranks(result: PeriodResult, node: str) -> dict[str, int]:
    """Each ranked unit's rank within its ranking group (or among all units, without a group),
    on the total as the engine ranks, on a main index by share of its applicable maximum."""
    if node == TOTAL:
        return {
            u.code: r
            for u in result.units
            if (r := (u.group_rank if u.group else u.rank)) is not None
        }
    ranks: dict[str, int] = {}
    for group in {u.group for u in result.units}:
        ranks |= competition_ranks(
            (u.code, Fraction(s) / Fraction(m) if (m := u.node_max.get(node)) else Fraction(s))
            for u in result.units
            if u.group == group and u.ranked and (s := u.nodes.get(node)) is not None
        )
    return ranks


def _line(
    target: Target, unit: UnitResult, ranks: dict[str, int], names: dict[str, str]
) -> Progress:
    if target.measure == Target.Measure.RANK:
        rank = ranks.get(unit.code)
        actual = Decimal(rank) if rank is not None else None
        reached = None if actual is None else actual <= target.value
        short = None if actual is None else max(actual - target.value, Decimal(0))
    else:
        actual = unit.total if target.node == TOTAL else unit.nodes.get(target.node)
        reached = None if actual is None else actual >= target.value
        short = None if actual is None else max(target.value - actual, Decimal(0))
    return Progress(
        scope=target.scope,
        subject=target.subject,
        subject_name=names.get(f"{target.scope}:{target.subject}", target.subject),
        node=target.node,
        node_name=names.get(f"node:{target.node}", target.node),
        measure=target.measure,
        value=target.value,
        unit=unit.code,
        unit_name=unit.name,
        group=unit.group,
        actual=actual,
        reached=reached,
        short=short,
    )


def _names(assessment: Assessment, result: PeriodResult, groups: dict[str, str]) -> dict[str, str]:
    names = {f"unit:{u.code}": u.name for u in result.units}
    names |= {f"group:{code}": name for code, name in groups.items()}
    names |= {f"node:{n.code}": n.name for n in assessment.framework.nodes}
    names[f"node:{TOTAL}"] = _("Tổng điểm")
    return names


@dataclass(frozen=True)
class Targets:
    """Every target of a period against its results: one line per unit and applicable target
    (units in the results' order), and each group target's count."""

    lines: tuple[Progress, ...]
    groups: tuple[GroupProgress, ...]

    def for_unit(self, unit: str) -> list[Progress]:
        return [line for line in self.lines if line.unit == unit]

    @property
    def reached(self) -> int:
        return sum(1 for line in self.lines if line.reached)


def progress(
    assessment: Assessment,
    result: PeriodResult,
    targets: Sequence[Target],
    groups: dict[str, str] | None = None,
) -> Targets:
    """The progress of every unit against the targets that apply to it (no queries)."""
    names = _names(assessment, result, groups or {})
    ranks: dict[str, dict[str, int]] = {}

    def ranks_of(node: str) -> dict[str, int]:
        if node not in ranks:
            ranks[node] = _ranks(result, node)
        return ranks[node]

    own = {(t.subject, t.node, t.measure): t for t in targets if t.scope == Target.Scope.UNIT}
    lines: list[Progress] = []
    group_lines: dict[int, list[Progress]] = {}
    by_group = [t for t in targets if t.scope == Target.Scope.GROUP]
    for unit in result.units:
        for target in targets:
            if target.scope == Target.Scope.UNIT and target.subject == unit.code:
                lines.append(_line(target, unit, ranks_of(target.node), names))
        for target in by_group:
            if target.subject != unit.group:
                continue
            line = _line(target, unit, ranks_of(target.node), names)
            group_lines.setdefault(id(target), []).append(line)
            if (unit.code, target.node, target.measure) not in own:
                lines.append(line)
    summaries = []
    for target in by_group:
        members = tuple(group_lines.get(id(target), ()))
        summaries.append(
            GroupProgress(
                subject=target.subject,
                subject_name=names.get(f"group:{target.subject}", target.subject),
                node=target.node,
                node_name=names.get(f"node:{target.node}", target.node),
                measure=target.measure,
                value=target.value,
                reached=sum(1 for line in members if line.reached),
                units=sum(1 for line in members if line.reached is not None),
                lines=members,
            )
        )
    return Targets(tuple(lines), tuple(summaries))


def period_targets(period: Period) -> list[Target]:
    return list(Target.objects.filter(period=period))


def period_progress(period: Period, assessment: Assessment, result: PeriodResult) -> Targets:
    """The period's targets against these results (the results as the reader may read them)."""
    targets = period_targets(period)
    if not targets:
        return Targets((), ())
    names = group_names(period, {u.group for u in result.units})
    return progress(assessment, result, targets, names)


def subjects(period: Period) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(code, name) of the period's units and of its ranking groups, for the console's form."""
    units = list(
        Participation.objects.filter(period=period)
        .order_by("order", "pk")
        .values_list("unit__code", "unit__name")
    )
    groups = sorted(group_names(period).items(), key=lambda item: item[1])
    return units, groups


def describe(period: Period, scope: str, subject: str, node: str, measure: str) -> str:
    """A target in words ("Mọi đơn vị của nhóm Sở, ban, ngành — Tổng điểm — thứ hạng"), for the
    console's list and history: names, never codes."""
    units, groups = subjects(period)
    if scope == Target.Scope.GROUP:
        who = _("mọi đơn vị của nhóm %(name)s") % {"name": dict(groups).get(subject, subject)}
    else:
        who = dict(units).get(subject, subject)
    what = (
        dict((c, n) for c, n, _m in main_indices(period)).get(node, node)
        if node
        else _("Tổng điểm")
    )
    how = Target.Measure(measure).label if measure in Target.Measure.values else measure
    return f"{who} — {what} — {how}"


def change_lines(period: Period, changes: Iterable[TargetChange]) -> list[tuple[TargetChange, str]]:
    """Each change with what it changed in words: the target and its value before and after, or
    the level bounds before and after."""
    lines = []
    for change in changes:
        detail = change.detail
        if change.kind == TargetChange.Kind.LEVELS:

            def bounds(value: dict | None) -> str:
                if not value:
                    return _("chưa đặt")
                return _("khá từ %(good)s%%, trung bình từ %(fair)s%%") % {
                    "good": numbers.vi(Decimal(value["good"]), trim=True),
                    "fair": numbers.vi(Decimal(value["fair"]), trim=True),
                }

            text = f"{bounds(detail.get('before'))} → {bounds(detail.get('after'))}"
        else:
            target = detail.get("target", {})
            what = describe(
                period,
                target.get("scope", ""),
                target.get("subject", ""),
                target.get("node", ""),
                target.get("measure", ""),
            )

            def value(text: str | None) -> str:
                return numbers.vi(Decimal(text), trim=True) if text else "—"

            text = f"{what}: {value(detail.get('before'))} → {value(detail.get('after'))}"
        lines.append((change, text))
    return lines
