"""The level of each component indicator's score, as Ninh Bình classifies them (seed 001):
"tối đa" (the indicator's maximum), "khá", "trung bình", "thấp" (the seed's "thấp, rất thấp")
and "chưa có điểm" (zero). The seed names the levels without stating where "khá" and
"trung bình" begin, so those bounds are a setting of the period (LevelThresholds, percent of the
indicator's applicable maximum) with no default: until the coordinator sets them, a score between
zero and the maximum is counted as "có điểm, chưa phân mức" and the pages say why.

An indicator that does not apply to a unit (no applicable maximum) is not counted. Counts come
from the engine's output only; the share is compared exactly (Decimal, no rounding)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendti import numbers
from opendti.periods.models import Period
from opendti.scoring.model import Assessment, PeriodResult, UnitResult

from .models import LevelThresholds, TargetChange
from .targets import _require_open, _require_reason

MAXIMUM = "maximum"
GOOD = "good"
FAIR = "fair"
LOW = "low"
ZERO = "zero"
UNCLASSIFIED = "unclassified"
LEVELS = (MAXIMUM, GOOD, FAIR, LOW, ZERO, UNCLASSIFIED)
LABELS = {
    MAXIMUM: gettext_lazy("Tối đa"),
    GOOD: gettext_lazy("Khá"),
    FAIR: gettext_lazy("Trung bình"),
    LOW: gettext_lazy("Thấp"),
    ZERO: gettext_lazy("Chưa có điểm"),
    UNCLASSIFIED: gettext_lazy("Có điểm, chưa phân mức"),
}


@dataclass(frozen=True)
class Thresholds:
    good: Decimal  # "khá" from this percent of the maximum (inclusive)
    fair: Decimal  # "trung bình" from this percent (inclusive); below it, and above 0, "thấp"


@dataclass
class Counts:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    def add(self, other: Counts) -> None:
        for level, count in other.counts.items():
            self.counts[level] += count

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self, classified: bool) -> list[tuple[str, int]]:
        """(level, count) in the order printed: without thresholds, khá/trung bình/thấp are
        replaced by the one unclassified column."""
        shown = (MAXIMUM, GOOD, FAIR, LOW, ZERO) if classified else (MAXIMUM, UNCLASSIFIED, ZERO)
        return [(level, self.counts[level]) for level in shown]


def columns(thresholds: Thresholds | None) -> list[tuple[str, str]]:
    """(level, label) of the columns a table of counts prints."""
    levels = Counts().cells(thresholds is not None)
    return [(level, str(LABELS[level])) for level, _count in levels]


def level_of(score: Decimal, maximum: Decimal, thresholds: Thresholds | None) -> str:
    if score >= maximum:
        return MAXIMUM
    if score <= 0:
        return ZERO
    if thresholds is None:
        return UNCLASSIFIED
    share = score * 100 / maximum  # exact enough: compared, never shown
    if share >= thresholds.good:
        return GOOD
    if share >= thresholds.fair:
        return FAIR
    return LOW


def component_codes(assessment: Assessment) -> list[str]:
    return [n.code for n in assessment.framework.nodes if n.kind == "component" and n.scored]


def unit_counts(unit: UnitResult, codes: Iterable[str], thresholds: Thresholds | None) -> Counts:
    counts = Counts()
    for code in codes:
        score, maximum = unit.nodes.get(code), unit.node_max.get(code)
        if score is None or not maximum:
            continue  # does not apply to this unit
        counts.counts[level_of(score, maximum, thresholds)] += 1
    return counts


@dataclass(frozen=True)
class Classification:
    thresholds: Thresholds | None
    units: dict[str, Counts]  # unit code -> counts
    groups: dict[str, Counts]  # group code ("" without groups) -> counts of its units
    overall: Counts

    @property
    def classified(self) -> bool:
        return self.thresholds is not None

    def columns(self) -> list[tuple[str, str]]:
        return columns(self.thresholds)


def classify(
    assessment: Assessment, result: PeriodResult, thresholds: Thresholds | None
) -> Classification:
    codes = component_codes(assessment)
    units: dict[str, Counts] = {}
    groups: dict[str, Counts] = {}
    overall = Counts()
    for unit in result.units:
        counts = unit_counts(unit, codes, thresholds)
        units[unit.code] = counts
        groups.setdefault(unit.group, Counts()).add(counts)
        overall.add(counts)
    return Classification(thresholds, units, groups, overall)


def period_thresholds(period: Period) -> Thresholds | None:
    row = LevelThresholds.objects.filter(period=period).first()
    return Thresholds(row.good, row.fair) if row is not None else None


def period_classification(
    period: Period, assessment: Assessment, result: PeriodResult
) -> Classification:
    return classify(assessment, result, period_thresholds(period))


def thresholds_text(thresholds: Thresholds | None) -> str:
    """The bounds as the pages and the report state them."""
    if thresholds is None:
        return _(
            "Chưa đặt ngưỡng mức khá và trung bình (Ninh Bình nêu tên các mức nhưng không nêu "
            "ngưỡng): chỉ phân loại mức tối đa (đạt điểm tối đa của chỉ số) và chưa có điểm "
            "(0 điểm)."
        )
    return _(
        "Tối đa: đạt điểm tối đa của chỉ số; khá: từ %(good)s%% điểm tối đa; trung bình: từ "
        "%(fair)s%% đến dưới %(good)s%%; thấp: trên 0 và dưới %(fair)s%%; chưa có điểm: 0 điểm."
    ) % {
        "good": numbers.vi(thresholds.good, trim=True),
        "fair": numbers.vi(thresholds.fair, trim=True),
    }


@transaction.atomic
def thresholds_set(
    *,
    period: Period,
    actor,
    good: Decimal | None,
    fair: Decimal | None,
    reason: str,
) -> bool:
    """Set, change or clear (both None) the period's bounds; True when something changed."""
    _require_open(period)
    reason = _require_reason(reason)
    if (good is None) != (fair is None):
        raise ValidationError(
            _("Ngưỡng phân loại: nhập cả mức khá và mức trung bình, hoặc để trống cả hai.")
        )
    if good is not None and fair is not None and not (0 < fair < good < 100):
        raise ValidationError(
            _(
                "Ngưỡng phân loại: cần 0 < mức trung bình < mức khá < 100 (%% điểm tối đa); "
                "đã nhập trung bình %(fair)s, khá %(good)s."
            )
            % {"fair": numbers.vi(fair, trim=True), "good": numbers.vi(good, trim=True)}
        )
    row = LevelThresholds.objects.select_for_update().filter(period=period).first()
    before = {"good": numbers.plain(row.good), "fair": numbers.plain(row.fair)} if row else None
    after = (
        {"good": numbers.plain(good), "fair": numbers.plain(fair)}
        if good is not None and fair is not None
        else None
    )
    if before == after:
        return False
    if good is None or fair is None:
        assert row is not None
        row.delete()
    else:
        LevelThresholds.objects.update_or_create(
            period=period, defaults={"good": good, "fair": fair}
        )
    TargetChange.objects.create(
        period=period,
        kind=TargetChange.Kind.LEVELS,
        detail={"before": before, "after": after},
        reason=reason,
        actor=actor,
    )
    return True


Line = tuple[str, str, list[tuple[str, int]], int]  # name, code ("" for a summary), cells, total


def level_rows(
    classification: Classification,
    units: list[tuple[str, str]],
    groups: list[tuple[str, str]],
) -> list[Line]:
    """The rows of a table of counts: each unit asked for, then each group asked for (as
    summary rows, code ""), then all units where more than one group is shown."""
    classified = classification.classified
    rows: list[Line] = []
    for code, name in units:
        counts = classification.units[code]
        rows.append((name, code, counts.cells(classified), counts.total))
    for code, name in groups:
        counts = classification.groups.get(code, Counts())
        rows.append((name, "", counts.cells(classified), counts.total))
    if len(groups) > 1:
        overall = classification.overall
        rows.append((_("Tất cả đơn vị"), "", overall.cells(classified), overall.total))
    return rows
