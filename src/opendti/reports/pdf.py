"""The official report as PDF (reportlab platypus), laid out like the DOCX: A4 with the margins of
Nghị định 30/2020/NĐ-CP, the issuing body and the national motto side by side, place and date,
the title, the sections with their numbered tables and charts, and the signer block.

Fonts are matplotlib's bundled DejaVu (Vietnamese glyphs, embedded as subsets), so nothing depends
on the fonts of the machine that renders. The building blocks (fonts, styles, numbers, tables,
page decoration) are shared with the scorecards in `pdf_scorecards`.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from opendti import numbers

from .content import (
    BLANK,
    Chart,
    ReportContent,
    Section,
    Table,
    date_line,
    long_date,
    part_headings,
)

SERIF = "DejaVuSerif"
SERIF_BOLD = "DejaVuSerif-Bold"
SERIF_ITALIC = "DejaVuSerif-Italic"
SERIF_BOLD_ITALIC = "DejaVuSerif-BoldItalic"
SANS = "DejaVuSans"

# Nghị định 30/2020/NĐ-CP, Phụ lục I: left 30–35 mm, right 15–20 mm, top and bottom 20–25 mm.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 30 * mm, 20 * mm, 20 * mm, 20 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
BODY_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
DRAFT = "DỰ THẢO"
MISSING = "—"
HEADER_FILL = colors.HexColor("#e6e6e6")
DRAFT_HEX = "#b00020"
DRAFT_COLOR = colors.HexColor(DRAFT_HEX)

# A cell counts as a number when it is one as printed: "86,35", "-1,20", "12", "59,26%", "3/7".
_NUMERIC = re.compile(r"^[-+−]?\d[\d.]*(,\d+)?%?(/\d+)?$")


@functools.cache
def fonts() -> None:
    """Register the DejaVu faces once per process (reportlab keeps a global registry)."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name in (SERIF, SERIF_BOLD, SERIF_ITALIC, SERIF_BOLD_ITALIC, SANS):
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
    # So that <b> and <i> inside a paragraph pick the matching face.
    pdfmetrics.registerFontFamily(
        SERIF, normal=SERIF, bold=SERIF_BOLD, italic=SERIF_ITALIC, boldItalic=SERIF_BOLD_ITALIC
    )


@functools.lru_cache(maxsize=512)
def style(
    size: float = 12,
    *,
    bold: bool = False,
    italic: bool = False,
    align: int = TA_LEFT,
    leading: float | None = None,
    before: float = 0,
    after: float = 0,
    indent: float = 0,
    color: str = "#000000",
) -> ParagraphStyle:
    """A paragraph style (cached: a scorecards PDF asks for the same few thousands of times)."""
    fonts()
    face = {
        (False, False): SERIF,
        (True, False): SERIF_BOLD,
        (False, True): SERIF_ITALIC,
        (True, True): SERIF_BOLD_ITALIC,
    }[(bold, italic)]
    return ParagraphStyle(
        f"s{size}{face}{align}",
        fontName=face,
        fontSize=size,
        leading=leading or size * 1.25,
        alignment=align,
        spaceBefore=before,
        spaceAfter=after,
        firstLineIndent=indent,
        textColor=colors.HexColor(color),
    )


def text(value: str, paragraph_style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: names may hold '&' or '<')."""
    return Paragraph(escape(value), paragraph_style)


def number(value: Decimal | int | None, decimals: int | None = None) -> str:
    """A number as a Vietnamese document prints it: decimal comma, never an exponent. With
    `decimals`, rounded half up to at most that many places and trailing zeros dropped (for
    maxima and thresholds, like the pages' floatformat:"-2"); without, exactly as the results
    hold it (the period's decimals)."""
    if value is None or isinstance(value, int) or decimals is None:
        return numbers.vi(value, missing=MISSING)
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    # A whole maximum prints without decimals (1.000), a threshold keeps its own (87,50).
    return numbers.vi(rounded, 0 if rounded == rounded.to_integral_value() else None)


def is_numeric(cell: str) -> bool:
    return bool(_NUMERIC.match(cell.strip())) or cell.strip() == MISSING


def _natural(
    header: Sequence[str], rows: Sequence[Sequence[str]], size: float, emphasised: frozenset[int]
) -> tuple[list[float], list[float]]:
    """Each column's least width (its header wrapped between words) and its width with the
    header on one line."""
    padding = 8
    least, unwrapped = [], []
    for column, title in enumerate(header):
        body = max(
            (
                pdfmetrics.stringWidth(r[column], SERIF_BOLD if i in emphasised else SERIF, size)
                for i, r in enumerate(rows)
                if column < len(r)
            ),
            default=0,
        )
        words = max((pdfmetrics.stringWidth(w, SERIF_BOLD, size) for w in title.split()), default=0)
        least.append(max(body, words) + padding)
        unwrapped.append(max(body, pdfmetrics.stringWidth(title, SERIF_BOLD, size)) + padding)
    return least, unwrapped


def _numbers_width(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: list[bool],
    size: float,
    emphasised: frozenset[int],
) -> float:
    least, _ = _natural(header, rows, size, emphasised)
    return sum(w for w, n in zip(least, numeric, strict=True) if n)


def _column_widths(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: list[bool],
    size: float,
    emphasised: frozenset[int],
) -> list[float]:
    """Numbers keep their natural width; text columns (names) share the rest in proportion to
    their natural widths and wrap when the table is too wide for the page."""
    natural, unwrapped = _natural(header, rows, size, emphasised)
    if sum(unwrapped) <= BODY_WIDTH:
        natural = unwrapped  # the headers fit on one line each
    fixed = sum(w for w, n in zip(natural, numeric, strict=True) if n)
    flexible = sum(w for w, n in zip(natural, numeric, strict=True) if not n)
    if fixed >= BODY_WIDTH or not flexible:
        scale = BODY_WIDTH / sum(natural)
        return [w * scale for w in natural] if scale < 1 else natural
    share = (BODY_WIDTH - fixed) / flexible
    if share > 1:
        # Room to spare: the text columns stretch, so every table spans the page (and its
        # caption, a row of the table, has the page's width).
        return [w if n else w * share for w, n in zip(natural, numeric, strict=True)]
    # Too wide: each text column keeps room for its longest word, the rest is shared out.
    least = [
        max(
            (
                pdfmetrics.stringWidth(word, SERIF_BOLD, size)
                for cell in [header[c], *(r[c] for r in rows if c < len(r))]
                for word in cell.split()
            ),
            default=0,
        )
        + 8
        for c in range(len(header))
    ]
    spare = BODY_WIDTH - fixed - sum(m for m, n in zip(least, numeric, strict=True) if not n)
    extra = sum(w - m for w, m, n in zip(natural, least, numeric, strict=True) if not n)
    if spare <= 0 or extra <= 0:
        return [w if n else w * share for w, n in zip(natural, numeric, strict=True)]
    return [
        w if n else m + (w - m) * spare / extra
        for w, m, n in zip(natural, least, numeric, strict=True)
    ]


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    emphasised: frozenset[int] = frozenset(),
    size: float | None = None,
    widths: list[float] | None = None,
    footer: Sequence[Paragraph] = (),
) -> PdfTable:
    """A grid table: the header row repeats on every page, emphasised rows (the average row)
    are bold, numbers are right-aligned. `footer` paragraphs (a note, the caption) are rows of
    the table spanning its width, outside the grid, so a page break never parts them from the
    table's last rows."""
    fonts()
    if size is None:
        size = (
            10 if len(header) <= 5 else 9 if len(header) <= 8 else 7.5 if len(header) <= 12 else 6.5
        )
    numeric = [
        all(is_numeric(r[c]) for r in rows if c < len(r) and r[c].strip()) and any(rows)
        for c in range(len(header))
    ]
    if widths is None:
        # A number never wraps: with many columns, a smaller type leaves the names some room.
        while (
            size > 6 and _numbers_width(header, rows, numeric, size, emphasised) > BODY_WIDTH * 0.8
        ):
            size -= 0.5
    head_style = style(size, bold=True, align=TA_CENTER)
    cell_styles = {(bold, False): style(size, bold=bold) for bold in (False, True)}
    data: list[list[Paragraph | str]] = [[text(h, head_style) for h in header]]
    commands: list[tuple] = [
        ("FONTNAME", (0, 1), (-1, -1), SERIF),
        ("FONTSIZE", (0, 1), (-1, -1), size),
        ("LEADING", (0, 1), (-1, -1), size * 1.25),
    ]
    for index, row in enumerate(rows):
        bold = index in emphasised
        # Numbers never wrap: plain strings, drawn much faster than paragraphs (hundreds of
        # scorecard pages); names and other text wrap in a paragraph.
        data.append(
            [
                cell if numeric[c] else text(cell, cell_styles[bold, False])
                for c, cell in enumerate(row)
            ]
            + [""] * (len(header) - len(row))
        )
        if bold:
            commands.append(("FONTNAME", (0, index + 1), (-1, index + 1), SERIF_BOLD))
    for column, is_number in enumerate(numeric):
        if is_number:
            commands.append(("ALIGN", (column, 1), (column, -1), "RIGHT"))
    last = len(data) - 1
    for paragraph in footer:
        data.append([paragraph] + [text("", head_style)] * (len(header) - 1))
        commands.append(("SPAN", (0, len(data) - 1), (-1, len(data) - 1)))
    if footer:
        # The caption goes over a page break with the last two rows, never alone.
        commands.append(("NOSPLIT", (0, max(1, last - 1)), (-1, -1)))
    table = PdfTable(
        data,
        colWidths=widths or _column_widths(header, rows, numeric, size, emphasised),
        repeatRows=1,
        hAlign="CENTER",
    )
    table.setStyle(
        TableStyle(
            [
                *commands,
                ("GRID", (0, 0), (-1, last), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def chart_image(chart: Chart, *, max_height: float = 110 * mm) -> Image:
    """A chart's PNG scaled to the body width (never enlarged past its height limit)."""
    width, height = ImageReader(io.BytesIO(chart.png)).getSize()
    scale = min(BODY_WIDTH / width, max_height / height)
    return Image(io.BytesIO(chart.png), width=width * scale, height=height * scale)


def draft_mark(canvas: Canvas) -> None:
    """'DỰ THẢO' boxed in the top-right margin of the page, as drafts are marked."""
    canvas.saveState()
    size = 11
    label_width = pdfmetrics.stringWidth(DRAFT, SERIF_BOLD, size)
    x = PAGE_WIDTH - MARGIN_RIGHT - label_width - 6
    y = PAGE_HEIGHT - MARGIN_TOP / 2 - 4
    canvas.setStrokeColor(DRAFT_COLOR)
    canvas.setFillColor(DRAFT_COLOR)
    canvas.setLineWidth(1)
    canvas.rect(x - 4, y - 4, label_width + 8, size + 6)
    canvas.setFont(SERIF_BOLD, size)
    canvas.drawString(x, y, DRAFT)
    canvas.restoreState()


PageHook = Callable[[Canvas, SimpleDocTemplate], None]


def document(buffer: io.BytesIO, *, title: str, author: str) -> SimpleDocTemplate:
    fonts()
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        creator="OpenDTI",
    )


# --- the report ---------------------------------------------------------------------------------


def _fit(line: str, face: str, size: float, width: float) -> float:
    """The size at which a header line fits its column on one line (down to 8 pt; a longer name
    wraps): DejaVu runs wider than the Times New Roman of the DOCX."""
    natural = pdfmetrics.stringWidth(line, face, size)
    return size if natural <= width else max(8.0, size * width / natural)


def _header(content: ReportContent) -> PdfTable:
    """Issuing body (left) and national motto (right), each centred in its column, with the
    document number under the body and the place and date under the motto."""
    left_width = 72 * mm
    room = left_width - 8 - 2  # the gap between the columns, and a little slack
    left: list[Flowable] = []
    if content.issuer_parent:
        parent = content.issuer_parent.upper()
        left.append(text(parent, style(_fit(parent, SERIF, 10.5, room), align=TA_CENTER)))
    issuer = content.issuer.upper()
    left.append(
        text(issuer, style(_fit(issuer, SERIF_BOLD, 10.5, room), bold=True, align=TA_CENTER))
    )
    left.append(
        HRFlowable(width="35%", thickness=0.6, color=colors.black, spaceBefore=4, spaceAfter=2)
    )
    # A report's own number is given when it is signed (the decision's number is cited below).
    left.append(
        text(f"Số:{BLANK}/BC-{content.number_suffix}", style(11, align=TA_CENTER, before=4))
    )
    right: list[Flowable] = [
        text(MOTTO, style(10, bold=True, align=TA_CENTER)),
        text(MOTTO_2, style(11, bold=True, align=TA_CENTER)),
        HRFlowable(width="68%", thickness=0.6, color=colors.black, spaceBefore=4, spaceAfter=2),
        text(date_line(content), style(11.5, italic=True, align=TA_CENTER, before=4)),
    ]
    # A narrow empty middle column keeps a long issuer clear of the motto (cell padding would
    # shift the centred rules, which reportlab aligns on the whole cell).
    gap = 8
    table = PdfTable(
        [[left, "", right]], colWidths=[left_width - gap, gap, BODY_WIDTH - left_width]
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),  # the rules under the two blocks
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _title(content: ReportContent) -> list[Flowable]:
    prefix = "Báo cáo "
    rest = content.title[len(prefix) :] if content.title.startswith(prefix) else content.title
    out: list[Flowable] = [
        text("BÁO CÁO", style(14, bold=True, align=TA_CENTER, before=4)),
        text(rest[:1].upper() + rest[1:], style(13, bold=True, align=TA_CENTER)),
    ]
    if not content.provisional and content.decision_number:
        d = content.date
        out.append(
            text(
                f"(Kèm theo Quyết định số {content.decision_number} {long_date(d)})",
                style(12, italic=True, align=TA_CENTER),
            )
        )
    out.append(
        HRFlowable(width="20%", thickness=0.6, color=colors.black, spaceBefore=8, spaceAfter=2)
    )
    out.append(Spacer(1, 4 * mm))
    return out


def _signer(content: ReportContent) -> Flowable:
    recipients: list[Flowable] = [text("Nơi nhận:", style(11, bold=True, italic=True))]
    recipients += [text(f"- {line}", style(10)) for line in content.recipients or ("Lưu: VT.",)]
    signer: list[Flowable] = [
        text(content.signer_on_behalf, style(12, bold=True, align=TA_CENTER)),
        text(content.signer_role, style(12, bold=True, align=TA_CENTER)),
        Spacer(1, 22 * mm),
        text(content.signer, style(12, bold=True, align=TA_CENTER)),
    ]
    table = PdfTable([[recipients, signer]], colWidths=[BODY_WIDTH * 0.48, BODY_WIDTH * 0.52])
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return KeepTogether([Spacer(1, 8 * mm), table])


def _table_block(table: Table) -> list[Flowable]:
    footer = []
    if table.note:
        footer.append(text(table.note, style(10, italic=True)))
    # Captioned under the table, as in the DOCX.
    caption = f"Bảng {table.number}: {table.title}"
    footer.append(text(caption, style(11.5, bold=True, italic=True, align=TA_CENTER)))
    return [
        Spacer(1, 3 * mm),
        data_table(table.header, table.rows, emphasised=table.emphasised, footer=footer),
        Spacer(1, 2 * mm),
    ]


def _section(section: Section, figures: list[int]) -> list[Flowable]:
    body = style(12.5, align=TA_JUSTIFY, indent=10 * mm, after=4, leading=17)
    out: list[Flowable] = [text(section.heading, style(12.5, bold=True, before=8, after=4))]
    out.extend(text(p, body) for p in section.paragraphs)
    for table in section.tables:
        out.extend(_table_block(table))
    for chart in section.charts:
        figures.append(len(figures) + 1)
        caption = f"Hình {figures[-1]}: {chart.title}"
        out.append(
            KeepTogether(
                [
                    Spacer(1, 4 * mm),
                    chart_image(chart),
                    text(caption, style(11, italic=True, align=TA_CENTER, before=2)),
                ]
            )
        )
    return out


def report_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes."""
    buffer = io.BytesIO()
    doc = document(buffer, title=content.title, author=content.issuer)

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        page = canvas.getPageNumber()
        if page > 1:  # Nghị định 30: the number at the top centre, from the second page
            canvas.saveState()
            canvas.setFont(SERIF, 11)
            canvas.drawCentredString(
                MARGIN_LEFT + BODY_WIDTH / 2, PAGE_HEIGHT - MARGIN_TOP / 2, str(page)
            )
            canvas.restoreState()
        if content.provisional:
            draft_mark(canvas)

    story: list[Flowable] = [_header(content), Spacer(1, 6 * mm), *_title(content)]
    figures: list[int] = []
    for title, section in part_headings(content.sections):
        if title:  # PHẦN I, II, III: centred, before the part's first section
            story.append(text(title, style(12.5, bold=True, align=TA_CENTER, before=10, after=4)))
        story.extend(_section(section, figures))
    story.append(_signer(content))
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
