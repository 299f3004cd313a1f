"""The XLSX workbook of a period's results: one sheet per table, values only (no formulas, so a
recipient sees the numbers the decision states even if a spreadsheet recomputes), numbers stored
as numbers with the period's decimals as their display format, frozen and bold headers.

The tables come from results.rankings.ranking_table, as on the web pages, so the workbook and the
pages cannot disagree.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from opendti.cells import xlsx_set
from opendti.periods.models import Period
from opendti.periods.names import group_names as names_of_groups
from opendti.publication.models import Snapshot
from opendti.results import band_detail
from opendti.results.rankings import TOTAL, ranking_table, ranks_by_share, share_basis
from opendti.results.source import PeriodScores

Progress = Callable[[int, int], None]

BOLD = Font(bold=True)
HEADER_ALIGN = Alignment(wrap_text=True, vertical="top")
MAX_WIDTH = 40
# Excel's limit on a sheet's name, and the characters it refuses in one.
SHEET_NAME_MAX = 31
SHEET_NAME_BAD = str.maketrans({c: "-" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Col:
    """A column: its header and the number format of its cells ("" for text)."""

    header: str
    fmt: str = ""


def _number_format(decimals: int) -> str:
    return "0." + "0" * decimals if decimals > 0 else "0"


def _signed_format(decimals: int) -> str:
    plain = _number_format(decimals)
    return f"+{plain};-{plain};{plain}"


def _add_sheet(
    book: Workbook, title: str, columns: Sequence[Col], rows: Sequence[Sequence[Any]]
) -> Worksheet:
    sheet = book.create_sheet(_sheet_name(book, title))
    widths = [len(c.header) for c in columns]
    for index, column in enumerate(columns, start=1):
        cell = xlsx_set(sheet.cell(row=1, column=index), column.header)
        cell.font = BOLD
        cell.alignment = HEADER_ALIGN
    for r, row in enumerate(rows, start=2):
        for index, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            # A Decimal is written as a number; None leaves the cell empty.
            cell = xlsx_set(sheet.cell(row=r, column=index), value)
            if column.fmt and isinstance(value, Decimal | int) and not isinstance(value, bool):
                cell.number_format = _format_for(column.fmt, value)
            if value is not None:
                widths[index - 1] = max(widths[index - 1], len(str(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    # The header row stays in view, and the unit's name too when the rows are units.
    sheet.freeze_panes = "D2" if len(columns) > 3 and rows else "A2"
    return sheet


def _format_for(fmt: str, value: Decimal | int) -> str:
    """The column's format, with more places where the value has them: a percent detail
    (75.001 beside 75.00) is shown with every decimal it carries, never rounded back."""
    if not isinstance(value, Decimal) or fmt != _number_format(_places(fmt)):
        return fmt
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > _places(fmt):
        return _number_format(-exponent)
    return fmt


def _places(fmt: str) -> int:
    return len(fmt.split(".", 1)[1]) if "." in fmt else 0


def _mark_details(sheet: Worksheet, cells: Sequence[tuple[int, int]]) -> None:
    """A comment with the note on each percent printed with more decimals (band_detail)."""
    for row, column in cells:
        sheet.cell(row=row, column=column).comment = Comment(band_detail.note(), "OpenDTI")


def _sheet_name(book: Workbook, title: str) -> str:
    base = title.translate(SHEET_NAME_BAD)[:SHEET_NAME_MAX]
    name, n = base, 2
    while name in book.sheetnames:
        suffix = f" ({n})"
        name, n = base[: SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    return name


def _ranking_sheet(
    book: Workbook,
    title: str,
    scores: PeriodScores,
    group: str | None,
    decimals: int,
    group_names: dict[str, str],
) -> None:
    """The ranking by total with every main index (Bảng 1 of the province's report)."""
    number, signed = _number_format(decimals), _signed_format(decimals)
    table = ranking_table(scores.assessment, scores.result, view=TOTAL, group=group, change=None)
    changes = {c.unit: c for c in scores.change.units} if scores.change else {}
    groups = any(u.group for u in scores.result.units)
    columns = [Col(_("Xếp hạng"), "0"), Col(_("Mã đơn vị")), Col(_("Cơ quan, đơn vị"))]
    if groups and group is None:
        columns.append(Col(_("Nhóm")))
    columns += [Col(f"{p.key}. {p.label}", number) for p in table.parts]
    columns += [
        Col(_("Tổng điểm"), number),
        Col(_("Điểm tối đa áp dụng"), number),
        Col(_("% điểm tối đa"), number),
        Col(_("Mức xếp loại")),
    ]
    if scores.change:
        columns += [Col(_("Tổng điểm kỳ trước"), number), Col(_("Biến động"), signed)]
    rows: list[list[Any]] = []
    details: list[tuple[int, int]] = []
    percent_column = [c.header for c in columns].index(_("% điểm tối đa")) + 1
    for row in (*table.rows, table.average):
        line: list[Any] = [row.rank, row.unit, row.name]
        if groups and group is None:
            line.append(group_names.get(row.group, row.group))
        line += [*row.parts, row.score, row.max_points, row.percent_shown, row.band]
        if row.percent_detail is not None:
            details.append((len(rows) + 2, percent_column))
        if scores.change:
            unit_change = changes.get(row.unit)
            if row.unit:
                line += [unit_change.previous_total if unit_change else None, row.change]
            else:
                line += [None, scores.change.average_change if group is None else None]
        rows.append(line)
    _mark_details(_add_sheet(book, title, columns, rows), details)


def _pillar_sheet(book: Workbook, scores: PeriodScores, decimals: int) -> None:
    """Each pillar's score, rank and band per unit."""
    pillars = scores.assessment.framework.pillars
    number = _number_format(decimals)
    table = ranking_table(scores.assessment, scores.result, view=TOTAL)
    columns = [Col(_("Xếp hạng"), "0"), Col(_("Mã đơn vị")), Col(_("Cơ quan, đơn vị"))]
    for pillar in pillars:
        columns += [
            Col(f"{pillar.name}: {_('điểm')}", number),
            Col(f"{pillar.name}: {_('% điểm tối đa')}", number),
            Col(f"{pillar.name}: {_('xếp hạng')}", "0"),
            Col(f"{pillar.name}: {_('mức')}"),
        ]
    rows: list[list[Any]] = []
    details: list[tuple[int, int]] = []
    for row in table.rows:
        unit = scores.result.unit(row.unit)
        line: list[Any] = [row.rank, row.unit, row.name]
        for pillar in pillars:
            p = unit.pillars[pillar.code]
            if p.percent_detail is not None:
                details.append((len(rows) + 2, len(line) + 2))
            line += [p.score, band_detail.shown(p.percent, p.percent_detail), p.rank, p.band]
        rows.append(line)
    averages = scores.result.averages
    line = [None, "", _("Trung bình")]
    for pillar in pillars:
        line += [averages.pillars.get(pillar.code), None, None, None]
    rows.append(line)
    _mark_details(_add_sheet(book, _("Trụ cột"), columns, rows), details)


def _averages_sheet(
    book: Workbook, scores: PeriodScores, decimals: int, group_names: dict[str, str]
) -> None:
    """The averages of the total, each pillar and each main index, overall and per group."""
    number = _number_format(decimals)
    framework = scores.assessment.framework
    result = scores.result
    group_codes = sorted(result.group_averages)
    columns = [Col(_("Mã")), Col(_("Chỉ số")), Col(_("Điểm tối đa"), number)]
    columns += [Col(_("Trung bình chung"), number)]
    columns += [Col(f"{_('Trung bình nhóm')} {group_names.get(g, g)}", number) for g in group_codes]
    rows: list[list[Any]] = []
    all_avgs = [result.averages, *(result.group_averages[g] for g in group_codes)]
    rows.append(
        [_("Tổng"), _("Tổng điểm"), scores.assessment.settings.total_max]
        + [a.total for a in all_avgs]
    )
    for pillar in framework.pillars:
        rows.append(
            [pillar.code, pillar.name, None] + [a.pillars.get(pillar.code) for a in all_avgs]
        )
    for node in framework.nodes:
        if node.kind == "main":
            rows.append(
                [node.code, node.name, node.max_points] + [a.nodes.get(node.code) for a in all_avgs]
            )
    _add_sheet(book, _("Trung bình"), columns, rows)


def _bands_sheet(book: Workbook, scores: PeriodScores) -> None:
    """How many ranked units fall in each band, by total and by pillar."""
    framework = scores.assessment.framework
    result = scores.result
    labels = [b.label for b in framework.total_bands.bands] if framework.total_bands else []
    labels += [label for label in result.band_counts if label not in labels]
    for counts in result.pillar_band_counts.values():
        labels += [label for label in counts if label not in labels]
    columns = [Col(_("Mức xếp loại")), Col(_("Tổng điểm"), "0")]
    columns += [Col(p.name, "0") for p in framework.pillars]
    rows = [
        [label, result.band_counts.get(label, 0)]
        + [result.pillar_band_counts.get(p.code, {}).get(label, 0) for p in framework.pillars]
        for label in labels
    ]
    _add_sheet(book, _("Mức xếp loại"), columns, rows)


def _change_sheet(book: Workbook, scores: PeriodScores, decimals: int) -> None:
    """The change against the previous period, unit by unit (through lineage when merged)."""
    change = scores.change
    assert change is not None
    number, signed = _number_format(decimals), _signed_format(decimals)
    names = {u.code: u.name for u in scores.result.units}
    via = {"same": _("cùng đơn vị"), "lineage": _("trung bình các đơn vị trước"), "none": ""}
    columns = [
        Col(_("Mã đơn vị")),
        Col(_("Cơ quan, đơn vị")),
        Col(_("Tổng điểm kỳ trước"), number),
        Col(_("Tổng điểm"), number),
        Col(_("Biến động"), signed),
        Col(_("% điểm tối đa kỳ trước"), number),
        Col(_("Biến động % điểm tối đa"), signed),
        Col(_("Cách so sánh")),
        Col(_("Tiến bộ nhiều nhất")),
    ]
    ordered = sorted(change.units, key=lambda c: (c.change is None, -(c.change or 0), c.unit))
    rows: list[list[Any]] = [
        [
            c.unit,
            names.get(c.unit, c.unit),
            c.previous_total,
            c.total,
            c.change,
            c.previous_percent,
            c.percent_change,
            via.get(c.via, c.via),
            "x" if c.unit in change.most_improved else "",
        ]
        for c in ordered
    ]
    rows.append(["", _("Trung bình"), None, None, change.average_change, None, None, "", ""])
    _add_sheet(book, _("Biến động"), columns, rows)


def _info_sheet(
    book: Workbook, period: Period, snapshot: Snapshot | None, scores: PeriodScores
) -> None:
    sheet = book.create_sheet(_("Thông tin"), 0)
    source = (
        _("Kết quả đã phê duyệt")
        if snapshot
        else _("Kết quả tạm tính, chưa được phê duyệt (DỰ THẢO)")
    )
    lines: list[tuple[str, Any]] = [
        (_("Kỳ đánh giá"), period.title),
        (_("Mã kỳ"), period.code),
        (_("Năm"), period.year),
        (_("Cấp đánh giá"), str(period.framework.level)),
        (_("Nguồn số liệu"), source),
        (_("Số chữ số thập phân"), scores.assessment.settings.decimals),
        (
            _("Mức xếp loại xác định theo"),
            str(Period.BandOn(scores.assessment.settings.band_on).label),
        ),
        (_("Phiên bản bộ chấm điểm"), scores.result.engine_version),
    ]
    result = scores.result
    if any(
        u.percent_detail is not None
        or any(p.percent_detail is not None for p in u.pillars.values())
        for u in result.units
    ):
        lines.append((_("Ghi chú"), band_detail.note()))
    if ranks_by_share(result.units):
        lines.append((_("Căn cứ xếp hạng"), share_basis()))
    if snapshot:
        if snapshot.has_decision:
            lines += [
                (_("Số quyết định"), snapshot.decision_number),
                (_("Ngày quyết định"), snapshot.issued_on.strftime("%d/%m/%Y")),
                (_("Người ký"), snapshot.signer),
            ]
        else:
            lines.append(
                (_("Quyết định"), _("Kết quả quý: công bố không cần quyết định phê duyệt"))
            )
        lines += [
            (
                _("Phê duyệt lúc") if snapshot.has_decision else _("Chốt và công bố lúc"),
                timezone.localtime(snapshot.approved_at).strftime("%H:%M %d/%m/%Y"),
            ),
            (_("Mã băm SHA-256 của dữ liệu"), snapshot.rows_sha256),
            (_("Mã băm SHA-256 của kết quả"), snapshot.document_sha256),
            (_("Dấu niêm phong (HMAC-SHA256)"), snapshot.seal),
        ]
    lines.append((_("Tạo tệp lúc"), timezone.localtime().strftime("%H:%M %d/%m/%Y")))
    for r, (label, value) in enumerate(lines, start=1):
        xlsx_set(sheet.cell(row=r, column=1), label).font = BOLD
        xlsx_set(sheet.cell(row=r, column=2), value)
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 70


def results_xlsx(
    scores: PeriodScores,
    *,
    period: Period,
    snapshot: Snapshot | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The workbook of a period's results (from `snapshot` when given, else provisional)."""
    decimals = scores.assessment.settings.decimals
    group_names = names_of_groups(period, {u.group for u in scores.result.units})
    groups = sorted({u.group for u in scores.result.units if u.group})
    steps: list[Callable[[Workbook], None]] = [
        lambda b: _ranking_sheet(b, _("Xếp hạng"), scores, None, decimals, group_names),
        *(
            (
                lambda b, g=g: _ranking_sheet(
                    b,
                    f"{_('Xếp hạng nhóm')} {group_names.get(g, g)}",
                    scores,
                    g,
                    decimals,
                    group_names,
                )
            )
            for g in groups
        ),
    ]
    if scores.assessment.framework.pillars:
        steps.append(lambda b: _pillar_sheet(b, scores, decimals))
    steps.append(lambda b: _averages_sheet(b, scores, decimals, group_names))
    steps.append(lambda b: _bands_sheet(b, scores))
    if scores.change:
        steps.append(lambda b: _change_sheet(b, scores, decimals))
    steps.append(lambda b: _info_sheet(b, period, snapshot, scores))

    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for done, step in enumerate(steps, start=1):
        step(book)
        if progress:
            progress(done, len(steps))
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
