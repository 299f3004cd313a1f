"""One-page scorecards for every unit of a period, in one PDF, after a summary of the period.

Each unit's page holds what its web scorecard leads with (results.scorecard.unit_scorecard): the
total, percent, index, band and ranks, the main indices against the average and the best unit,
strengths, weaknesses and the points missing to the next band, and a bar chart. The chart is
drawn with reportlab's vector graphics, not matplotlib: a commune period has hundreds of pages.

Numbers come from the approved snapshot when the period has one, else from the live results,
and then every page is marked DỰ THẢO (draft).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
)
from reportlab.platypus import Table as PdfTable

from opendti.core.vietnamese import sort_key
from opendti.periods.models import Period
from opendti.periods.names import group_names
from opendti.publication.selectors import final_scores
from opendti.results import band_detail
from opendti.results.scorecard import NodeLine, Scorecard, unit_scorecard
from opendti.scoring.model import PeriodResult, UnitResult

from .pdf import (
    BODY_WIDTH,
    DRAFT,
    DRAFT_HEX,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MISSING,
    SANS,
    SERIF,
    data_table,
    document,
    draft_mark,
    number,
    style,
    text,
)

Progress = Callable[[int, int], None]
UNIT_COLOR = colors.HexColor("#1a5fb4")
AVERAGE_COLOR = colors.HexColor("#8a8f98")


def ranking_order(result: PeriodResult) -> list[UnitResult]:
    """Ranked units by rank, then the unranked ones (by name)."""
    return sorted(result.units, key=lambda u: (u.rank is None, u.rank or 0, sort_key(u.name)))


class _Progress(Flowable):
    """Reports a unit done when its page is drawn (the layout is where the time goes)."""

    def __init__(self, callback: Progress, done: int, total: int) -> None:
        super().__init__()
        self.callback, self.done, self.total = callback, done, total

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.callback(self.done, self.total)


def _label(line: NodeLine) -> str:
    # Short codes ("1", "2.3") are how the framework numbers its indices; long slugs are not.
    return f"{line.code}. {line.name}" if len(line.code) <= 6 else line.name


def _bars(lines: list[NodeLine]) -> Drawing:
    """Main indices as % of their max: the unit's bar over the average's."""
    row, label_width, width = 15.0, 62 * mm, BODY_WIDTH - 4
    plot = width - label_width - 34
    height = row * len(lines) + 22
    drawing = Drawing(width, height)
    base = label_width
    for tick in (0, 25, 50, 75, 100):
        x = base + plot * tick / 100
        drawing.add(Line(x, 14, x, height - 2, strokeColor=colors.HexColor("#d0d0d0")))
        drawing.add(String(x, 4, f"{tick}%", fontName=SANS, fontSize=6.5, textAnchor="middle"))
    for index, line in enumerate(lines):
        top = height - 4 - row * index
        label = _label(line)
        if len(label) > 40:
            label = label[:39] + "…"
        drawing.add(String(2, top - 9, label, fontName=SANS, fontSize=7.5))
        for offset, value, fill in (
            (0.0, line.percent, UNIT_COLOR),
            (6.0, line.average_percent, AVERAGE_COLOR),
        ):
            if value is None:
                continue
            length = plot * float(min(max(value, Decimal(0)), Decimal(100))) / 100
            y = top - 6 - offset
            drawing.add(Rect(base, y, length, 5, fillColor=fill, strokeColor=None))
            drawing.add(
                String(base + length + 2, y + 0.5, number(value, 1), fontName=SANS, fontSize=6)
            )
    legend_y = 4
    for x, fill, caption in ((2.0, UNIT_COLOR, "Đơn vị"), (50.0, AVERAGE_COLOR, "Trung bình")):
        drawing.add(Rect(x, legend_y, 8, 5, fillColor=fill, strokeColor=None))
        drawing.add(String(x + 11, legend_y, caption, fontName=SANS, fontSize=7))
    return drawing


def _key_figures(card: Scorecard, counts: tuple[int, dict[str, int]]) -> PdfTable:
    unit = card.unit
    ranked, by_group = counts
    rank = f"{unit.rank}/{ranked}" if unit.rank is not None else MISSING
    group_rank = (
        f"{unit.group_rank}/{by_group.get(unit.group, 0)}"
        if unit.group_rank is not None
        else MISSING
    )
    header = [
        "Tổng điểm",
        "% điểm tối đa",
        "Chỉ số",
        "Mức xếp loại",
        "Hạng chung",
        "Hạng trong nhóm",
    ]
    shares = (0.25, 0.14, 0.13, 0.18, 0.13, 0.17)
    detail = unit.percent_detail
    row = [
        f"{number(unit.total)} / {number(unit.max_points, 2)}",
        band_detail.marked(number(band_detail.shown(unit.percent, detail)), detail),
        band_detail.marked(number(band_detail.index_shown(unit.index, detail)), detail),
        unit.band or MISSING,
        rank,
        group_rank,
    ]
    return data_table(header, [row], size=9.5, widths=[BODY_WIDTH * share for share in shares])


def _opinion(lines: tuple[NodeLine, ...]) -> str:
    if not lines:
        return MISSING
    return "; ".join(
        f"{line.name}: {number(line.percent)}% (trung bình {number(line.average_percent)}%)"
        for line in lines[:3]
    )


def _unit_page(
    card: Scorecard,
    *,
    period: Period,
    decimals: int,
    groups: dict[str, str],
    counts: tuple[int, dict[str, int]],
) -> list[Flowable]:
    unit = card.unit
    mains = [line for line in card.lines if line.kind == "main"]
    story: list[Flowable] = [
        text(period.title, style(10, italic=True, align=TA_CENTER)),
        text(unit.name, style(16, bold=True, align=TA_CENTER, before=4, after=2)),
    ]
    if unit.group:
        group = groups.get(unit.group, unit.group)
        story.append(text(f"Nhóm xếp hạng: {group}", style(10.5, align=TA_CENTER, after=6)))
    story.append(_key_figures(card, counts))
    if unit.percent_detail is not None:
        story.append(text(band_detail.note(), style(9, italic=True, before=2)))
    if not unit.ranked:
        story.append(text("Đơn vị không tham gia xếp hạng.", style(10, italic=True, before=2)))
    story.append(Spacer(1, 4 * mm))
    story.append(text("Các chỉ số chính", style(12, bold=True, after=3)))
    rows = [
        [
            _label(line),
            number(line.score),
            number(line.max_points, decimals),
            number(line.average),
            number(line.best),
        ]
        for line in mains
    ]
    story.append(data_table(["Chỉ số", "Điểm", "Tối đa", "Trung bình", "Cao nhất"], rows, size=9.5))
    story += [Spacer(1, 3 * mm), _bars(mains), Spacer(1, 3 * mm)]
    body = style(10.5, after=3)
    story.append(text(f"Điểm mạnh: {_opinion(card.strengths)}", body))
    story.append(text(f"Điểm yếu: {_opinion(card.weaknesses)}", body))
    if card.next_band is not None:
        nxt = card.next_band
        beyond = "" if nxt.inclusive else " (phải vượt ngưỡng)"
        story.append(
            text(
                f"Cần thêm {number(nxt.missing, decimals)} điểm để đạt mức {nxt.band} "
                f"(ngưỡng {number(nxt.threshold, decimals)} điểm){beyond}.",
                body,
            )
        )
    elif unit.band is not None:
        story.append(text("Đơn vị đã ở mức xếp loại cao nhất.", body))
    if card.opportunities:
        easiest = ", ".join(
            f"{o.code} (+{number(o.reached_by_best)})" for o in card.opportunities[:5]
        )
        story.append(text(f"Chỉ số dễ cải thiện nhất: {easiest}.", body))
    return story


def _summary(
    period: Period, result: PeriodResult, order: list[UnitResult], groups: dict[str, str]
) -> list[Flowable]:
    ranked = sum(1 for u in result.units if u.ranked)
    bands = "; ".join(f"{band}: {count}" for band, count in result.band_counts.items())
    body = style(11, after=3)
    story: list[Flowable] = [
        text("PHIẾU KẾT QUẢ CỦA CÁC ĐƠN VỊ", style(15, bold=True, align=TA_CENTER, after=4)),
        text(period.title, style(12.5, bold=True, align=TA_CENTER, after=10)),
        text(f"Kỳ đánh giá: {period.title} ({period.code})", body),
        text(f"Số đơn vị: {len(result.units)} (xếp hạng: {ranked})", body),
        text(f"Số đơn vị theo mức xếp loại: {bands or MISSING}", body),
        text(f"Điểm trung bình: {number(result.averages.total)}", body),
        Spacer(1, 4 * mm),
    ]
    rows = [
        [
            str(u.rank) if u.rank is not None else MISSING,
            u.name,
            groups.get(u.group, u.group),
            number(u.total),
            u.band or MISSING,
        ]
        for u in order
    ]
    story.append(data_table(["Hạng", "Đơn vị", "Nhóm", "Tổng điểm", "Mức xếp loại"], rows))
    return story


def scorecards_pdf(period: Period, *, progress: Progress | None = None) -> bytes:
    """A summary page, then one page per unit of the period (in ranking order)."""
    scores, snapshot = final_scores(period)
    assessment, result = scores.assessment, scores.result
    decimals = assessment.settings.decimals
    provisional = snapshot is None
    groups = group_names(period, {u.group for u in result.units})
    ranked_in: dict[str, int] = {}
    for u in result.units:
        if u.group_rank is not None:
            ranked_in[u.group] = ranked_in.get(u.group, 0) + 1
    counts = (sum(1 for u in result.units if u.rank is not None), ranked_in)
    order = ranking_order(result)

    buffer = io.BytesIO()
    doc = document(buffer, title=f"Phiếu kết quả — {period.title}", author="OpenDTI")
    # The frame's own padding (6 pt a side) and a little slack: a page's content must never
    # spill onto a second page, so KeepInFrame shrinks a crowded one instead.
    height = doc.height - 16

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(SERIF, 8.5)
        canvas.drawString(MARGIN_LEFT, MARGIN_BOTTOM / 2, period.title)
        canvas.drawRightString(
            MARGIN_LEFT + BODY_WIDTH, MARGIN_BOTTOM / 2, f"Trang {canvas.getPageNumber()}"
        )
        canvas.restoreState()
        if provisional:
            draft_mark(canvas)

    story: list[Flowable] = []
    if provisional:
        story.append(text(DRAFT, style(13, bold=True, align=TA_CENTER, color=DRAFT_HEX)))
    story += _summary(period, result, order, groups)
    total = len(order)
    for done, unit in enumerate(order, start=1):
        card = unit_scorecard(assessment, result, unit.code)
        page = _unit_page(card, period=period, decimals=decimals, groups=groups, counts=counts)
        story += [PageBreak(), KeepInFrame(BODY_WIDTH, height, page, mode="shrink")]
        if progress is not None:
            story.append(_Progress(progress, done, total))
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
