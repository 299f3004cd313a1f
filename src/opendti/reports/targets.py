"""The report's section on targets and the component indicators' levels (issue 16, part 4): each
unit against the targets that apply to it (reached or not, the points or places short), each
group target's count, and the component indicators per level for each unit and each group, with
the bounds stated. Built from the same services as the pages (results.targets, results.levels);
kept apart from build.py so that it can move into any layout of Part II as one block."""

from __future__ import annotations

from collections.abc import Callable

from opendti import numbers
from opendti.periods.models import Period
from opendti.periods.names import group_names
from opendti.results.levels import level_rows, period_classification, thresholds_text
from opendti.results.source import PeriodScores
from opendti.results.targets import Progress, period_progress

from .content import Section, Table

MISSING = "—"


def _target(line: Progress) -> str:
    if line.is_rank:
        return f"xếp thứ {numbers.vi(line.value, 0)} trở lên"
    return f"đạt từ {numbers.vi(line.value, trim=True)} điểm"


def _actual(line: Progress) -> str:
    if line.actual is None:
        return MISSING
    return f"thứ {numbers.vi(line.actual, 0)}" if line.is_rank else numbers.vi(line.actual)


def _verdict(line: Progress) -> str:
    if line.reached is None:
        return "Không xếp hạng"
    return "Đạt" if line.reached else "Chưa đạt"


def _short(line: Progress) -> str:
    if not line.reached and line.short is not None:
        return (
            f"{numbers.vi(line.short, 0)} bậc"
            if line.is_rank
            else f"{numbers.vi(line.short, trim=True)} điểm"
        )
    return MISSING


def targets_sections(
    period: Period, scores: PeriodScores, number: Callable[[], int], heading: str
) -> list[Section]:
    """The section (none when the period has no targets and no component indicators)."""
    progress = period_progress(period, scores.assessment, scores.result)
    classification = period_classification(period, scores.assessment, scores.result)
    paragraphs: list[str] = []
    tables: list[Table] = []
    if progress.lines:
        told = [line for line in progress.lines if line.reached is not None]
        paragraphs.append(
            f"Kỳ đánh giá có {len(progress.lines)} mục tiêu áp dụng cho các cơ quan, đơn vị; "
            f"đạt {progress.reached}/{len(told)} mục tiêu."
        )
        for g in progress.groups:
            paragraphs.append(
                f"Mục tiêu chung của nhóm {g.subject_name} ({g.node_name}, {_target_line(g)}): "
                f"{g.reached}/{g.units} đơn vị"
                + (" được xếp hạng" if g.measure == "rank" else "")
                + " đạt."
            )
        tables.append(
            Table(
                number=number(),
                title="Kết quả thực hiện mục tiêu",
                header=(
                    "Cơ quan, đơn vị",
                    "Chỉ số",
                    "Mục tiêu",
                    "Kết quả",
                    "Đánh giá",
                    "Còn thiếu",
                ),
                rows=tuple(
                    (
                        line.unit_name,
                        line.node_name,
                        _target(line),
                        _actual(line),
                        _verdict(line),
                        _short(line),
                    )
                    for line in progress.lines
                ),
            )
        )
    if classification.overall.total:
        paragraphs.append(
            "Phân loại các chỉ số thành phần theo mức điểm đạt được. "
            + thresholds_text(classification.thresholds)
        )
        header = (
            "Cơ quan, đơn vị",
            *(label for _l, label in classification.columns()),
            "Số chỉ số",
        )
        units = [(u.code, u.name) for u in scores.result.units]
        present = sorted({u.group for u in scores.result.units if u.group})
        names = group_names(period, present)
        groups = [(code, names[code]) for code in present] or [("", "Tất cả đơn vị")]
        rows = level_rows(classification, units, [])
        tables.append(
            Table(
                number=number(),
                title="Số chỉ số thành phần theo mức điểm của từng cơ quan, đơn vị",
                header=header,
                rows=tuple(
                    (name, *(str(count) for _l, count in cells), str(total))
                    for name, _code, cells, total in rows
                ),
            )
        )
        summary = level_rows(classification, [], groups)
        tables.append(
            Table(
                number=number(),
                title="Số chỉ số thành phần theo mức điểm của từng nhóm",
                header=("Nhóm", *header[1:]),
                rows=tuple(
                    (name, *(str(count) for _l, count in cells), str(total))
                    for name, _code, cells, total in summary
                ),
                emphasised=frozenset({len(summary) - 1}) if len(summary) > 1 else frozenset(),
            )
        )
    if not tables:
        return []
    return [Section(heading, tuple(paragraphs), tuple(tables))]


def _target_line(g) -> str:
    if g.measure == "rank":
        return f"xếp thứ {numbers.vi(g.value, 0)} trở lên"
    return f"đạt từ {numbers.vi(g.value, trim=True)} điểm"
