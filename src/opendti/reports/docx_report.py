"""The report and the draft decision as DOCX, in the layout of Nghị định 30/2020/NĐ-CP (the
decree on administrative documents): A4, margins 20/20/30/15 mm, Times New Roman 13 pt, the
issuing body and the national motto side by side, the number and the date, the title centred,
the signer block with the recipients ("Nơi nhận") at the end. A draft says DỰ THẢO at the top and
leaves the number and the day blank, to be filled in when signed.

Everything printed comes from a ReportContent: the tables' cells are written as they are.
"""

from __future__ import annotations

import functools
import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from lxml import etree

from .content import BLANK, ReportContent, Table, date_line, long_date, part_headings

FONT = "Times New Roman"
BODY_SIZE = Pt(13)
TABLE_SIZE = Pt(10)  # the ranking tables have up to a dozen columns on a portrait page
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"
DRAFT = "DỰ THẢO"
TEXT_WIDTH = Mm(210 - 30 - 15)


# --- page and styles ----------------------------------------------------------------------------


def _font(element_style, size: Pt | None = None, bold: bool | None = None) -> None:
    """Times New Roman for every script: the theme fonts of the default template would win over
    a plain font name, so the theme attributes are removed."""
    font = element_style.font
    font.name = FONT
    font.color.rgb = RGBColor(0, 0, 0)
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    fonts = element_style.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(script), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def _new_document() -> DocumentObject:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    _font(normal, BODY_SIZE)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for level in (1, 2):
        _font(document.styles[f"Heading {level}"], BODY_SIZE, bold=True)
        document.styles[f"Heading {level}"].font.italic = False
    return document


def _paragraph(
    container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: Pt | None = None,
    align: int | None = None,
    after: Pt | None = None,
) -> Paragraph:
    paragraph = container.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size is not None:
            run.font.size = size
    if align is not None:
        paragraph.alignment = align
    if after is not None:
        paragraph.paragraph_format.space_after = after
    return paragraph


def _borderless(table: DocxTable) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _grid_lines(table: DocxTable) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _cell(table: DocxTable, row: int, column: int):
    cell = table.cell(row, column)
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    return cell


# --- header and signer --------------------------------------------------------------------------


def _header(document: DocumentObject, content: ReportContent, number: str) -> None:
    if content.provisional:
        _paragraph(document, DRAFT, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    table = document.add_table(rows=1, cols=2)
    _borderless(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = _cell(table, 0, 0), _cell(table, 0, 1)
    left.width, right.width = Mm(70), TEXT_WIDTH - Mm(70)
    center = WD_ALIGN_PARAGRAPH.CENTER
    if content.issuer_parent:
        _paragraph(left, content.issuer_parent.upper(), size=Pt(12), align=center, after=Pt(0))
    _paragraph(left, content.issuer.upper(), bold=True, size=Pt(12), align=center, after=Pt(0))
    _paragraph(left, "———", align=center, after=Pt(6))
    _paragraph(left, number, align=center)
    _paragraph(right, MOTTO, bold=True, size=Pt(12), align=center, after=Pt(0))
    _paragraph(right, MOTTO_LINE, bold=True, align=center, after=Pt(0))
    _paragraph(right, "—————————", align=center, after=Pt(6))
    _paragraph(right, date_line(content), italic=True, align=center)


def _number(content: ReportContent, kind: str) -> str:
    if kind == "QĐ" and content.decision_number and not content.provisional:
        return f"Số: {content.decision_number}"
    return f"Số:{BLANK}/{kind}-{content.number_suffix}"


def _signer(document: DocumentObject, content: ReportContent) -> None:
    table = document.add_table(rows=1, cols=2)
    _borderless(table)
    left, right = _cell(table, 0, 0), _cell(table, 0, 1)
    left.width, right.width = Mm(85), TEXT_WIDTH - Mm(85)
    _paragraph(left, "Nơi nhận:", bold=True, italic=True, size=Pt(12), after=Pt(0))
    for line in content.recipients:
        _paragraph(left, f"- {line}", size=Pt(11), after=Pt(0))
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(right, content.signer_on_behalf, bold=True, align=center, after=Pt(0))
    _paragraph(right, content.signer_role, bold=True, align=center, after=Pt(60))
    _paragraph(right, content.signer, bold=True, align=center)


# --- tables and charts --------------------------------------------------------------------------


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def _table(document: DocumentObject, table: Table) -> None:
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header))
    try:
        grid.style = document.styles["Table Grid"]
    except KeyError:  # a province's template without Word's grid style: the lines drawn here
        _grid_lines(grid)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(grid.rows[0])
    for r, cells in enumerate([table.header, *table.rows]):
        bold = r == 0 or (r - 1) in table.emphasised
        for c, text in enumerate(cells):
            paragraph = grid.cell(r, c).paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.line_spacing = 1.0
            if c != 1 or r == 0:  # names read left-aligned, numbers and headings centred
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(text)
            run.bold = bold
            run.font.size = TABLE_SIZE
    if table.note:
        _paragraph(document, table.note, italic=True, size=Pt(11), after=Pt(0))
    _paragraph(
        document,
        f"Bảng {table.number}: {table.title}",
        bold=True,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )


# --- the documents ------------------------------------------------------------------------------


def _save(document: DocumentObject) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _title_lines(content: ReportContent) -> tuple[str, str]:
    prefix = "Báo cáo "
    rest = content.title[len(prefix) :] if content.title.startswith(prefix) else content.title
    return "BÁO CÁO", rest[:1].upper() + rest[1:]


# --- the report, from a Word template ----------------------------------------------------------


def _heading(document: DocumentObject, text: str, level: int) -> None:
    """A heading in the template's heading style; a template without one (a province's own,
    made in Word) gets a bold paragraph instead."""
    try:
        document.add_heading(text, level=min(max(level, 1), 2))
    except KeyError:
        _paragraph(document, text, bold=True)


def _write_sections(document: DocumentObject, sections, figure: int) -> int:
    """The sections (with their parts' titles) into `document`; returns the last figure's
    number, so that figures are numbered across the parts."""
    center = WD_ALIGN_PARAGRAPH.CENTER
    for title, section in part_headings(sections):
        if title:
            _paragraph(document, title, bold=True, align=center)
        _heading(document, section.heading, section.level)
        for text in section.paragraphs:
            paragraph = _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            paragraph.paragraph_format.first_line_indent = Mm(10)
        for table in section.tables:
            _table(document, table)
        for chart in section.charts:
            figure += 1
            document.add_picture(io.BytesIO(chart.png), width=TEXT_WIDTH - Mm(5))
            document.paragraphs[-1].alignment = center
            _paragraph(document, f"Hình {figure}: {chart.title}", italic=True, align=center)
    return figure


class _Body:
    """Part of the report written with python-docx into the template's own document (its
    styles, its pictures' relationships) and placed where the template says ({{p part2 }}):
    docxtpl's Subdoc without the document-merging package it needs for other documents."""

    def __init__(self, template: DocxTemplate) -> None:
        self.document = Document()
        self.document._part = template.get_docx().part  # styles and pictures: the template's

    def __html__(self) -> str:
        # Each block serialised with the namespaces it uses, whatever the template declares.
        return "".join(
            etree.tostring(element, encoding="unicode")
            for element in self.document.element.body
            if element.tag != qn("w:sectPr")
        )

    __str__ = __html__


@functools.cache  # built once per process: the same bytes every time (a zip is dated when made)
def default_template() -> bytes:
    """The shipped template: the layout of Nghị định 30 (page, fonts, the issuing body and the
    national motto side by side, the title, the parts, the signer block), with the template
    variables of docs/reports.md where the report's words go. A province replaces it with its
    own (OPENDTI_REPORT_TEMPLATE, or the upload on the report's content page)."""
    document = _new_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, "{%p if provisional %}")
    _paragraph(document, DRAFT, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, "{%p endif %}")
    table = document.add_table(rows=1, cols=2)
    _borderless(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = _cell(table, 0, 0), _cell(table, 0, 1)
    left.width, right.width = Mm(70), TEXT_WIDTH - Mm(70)
    _paragraph(left, "{%p if issuer_parent %}")
    _paragraph(left, "{{ issuer_parent|upper }}", size=Pt(12), align=center, after=Pt(0))
    _paragraph(left, "{%p endif %}")
    _paragraph(left, "{{ issuer|upper }}", bold=True, size=Pt(12), align=center, after=Pt(0))
    _paragraph(left, "———", align=center, after=Pt(6))
    _paragraph(left, "{{ number }}", align=center)
    _paragraph(right, MOTTO, bold=True, size=Pt(12), align=center, after=Pt(0))
    _paragraph(right, MOTTO_LINE, bold=True, align=center, after=Pt(0))
    _paragraph(right, "—————————", align=center, after=Pt(6))
    _paragraph(right, "{{ date_line }}", italic=True, align=center)
    _paragraph(document, "{{ title_first }}", bold=True, size=Pt(14), align=center, after=Pt(0))
    _paragraph(document, "{{ title_second }}", bold=True, align=center, after=Pt(0))
    _paragraph(document, "{%p if decision_line %}")
    _paragraph(document, "{{ decision_line }}", italic=True, align=center, after=Pt(0))
    _paragraph(document, "{%p endif %}")
    _paragraph(document, "—————", align=center)
    for part in ("part1", "part2", "part3"):
        _paragraph(document, f"{{{{p {part} }}}}")
    signer = document.add_table(rows=1, cols=2)
    _borderless(signer)
    left, right = _cell(signer, 0, 0), _cell(signer, 0, 1)
    left.width, right.width = Mm(85), TEXT_WIDTH - Mm(85)
    _paragraph(left, "Nơi nhận:", bold=True, italic=True, size=Pt(12), after=Pt(0))
    _paragraph(left, "{%p for line in recipients %}")
    _paragraph(left, "- {{ line }}", size=Pt(11), after=Pt(0))
    _paragraph(left, "{%p endfor %}")
    _paragraph(right, "{{ signer_on_behalf }}", bold=True, align=center, after=Pt(0))
    _paragraph(right, "{{ signer_role }}", bold=True, align=center, after=Pt(60))
    _paragraph(right, "{{ signer }}", bold=True, align=center)
    return _save(document)


def template_context(content: ReportContent, template: DocxTemplate) -> dict[str, object]:
    """The variables a report template can use (docs/reports.md lists them)."""
    first, second = _title_lines(content)
    decision_line = ""
    if not content.provisional and content.decision_number:
        decision_line = (
            f"(Kèm theo Quyết định số {content.decision_number} {long_date(content.date)})"
        )
    parts: dict[str, _Body] = {}
    figure = 0
    for number in (1, 2, 3):
        body = _Body(template)
        # A document of no parts (sections without one) is all Part II.
        sections = content.part(number) or (
            tuple(s for s in content.sections if not s.part) if number == 2 else ()
        )
        figure = _write_sections(body.document, sections, figure)
        parts[f"part{number}"] = body
    written = dict(content.written)
    return {
        **parts,
        "provisional": content.provisional,
        "issuer": content.issuer,
        "issuer_parent": content.issuer_parent,
        "place": content.place,
        "number": _number(content, "BC"),
        "date_line": date_line(content),
        "date": long_date(content.date),
        "year": content.year,
        "title": content.title,
        "title_first": first,
        "title_second": second,
        "decision_number": content.decision_number,
        "decision_line": decision_line,
        "signer": content.signer,
        "signer_on_behalf": content.signer_on_behalf,
        "signer_role": content.signer_role,
        "recipients": list(content.recipients),
        "periods": list(content.periods),
        "assessment": written.get("assessment", ""),
        "limitations": written.get("limitations", ""),
        "tasks": written.get("tasks", ""),
    }


def report_docx(content: ReportContent, template: bytes | None = None) -> bytes:
    """The report, filled into `template` (a .docx with docxtpl's tags); by default the
    installation's template (reports.templates) or the shipped one."""
    if template is None:
        from .templates import report_template  # settings and storage: read when generating

        template = report_template()
    document = DocxTemplate(io.BytesIO(template))
    # Autoescaped: a unit's or a coordinator's "&" or "<" stays text, never broken XML.
    document.render(template_context(content, document), autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def decision_docx(content: ReportContent) -> bytes:
    """The decision publishing the results (Quyết định công bố kết quả…), with the report attached."""
    document = _new_document()
    _header(document, content, _number(content, "QĐ"))
    center = WD_ALIGN_PARAGRAPH.CENTER
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    _paragraph(document, "QUYẾT ĐỊNH", bold=True, size=Pt(14), align=center, after=Pt(0))
    _paragraph(document, f"Về việc công bố {content.subject}", bold=True, align=center, after=Pt(0))
    _paragraph(document, "—————", align=center)
    _paragraph(document, f"{content.signer_role} {content.issuer.upper()}", bold=True, align=center)
    for basis in content.legal_bases:
        paragraph = _paragraph(document, basis, italic=True, align=justify)
        paragraph.paragraph_format.first_line_indent = Mm(10)
    _paragraph(document, "QUYẾT ĐỊNH:", bold=True, align=center)
    articles = (
        f"Công bố {content.subject} (chi tiết tại Báo cáo kèm theo).",
        f"Căn cứ {content.subject}, các cơ quan, đơn vị tổ chức quán triệt, rút kinh nghiệm, có "
        "giải pháp đẩy mạnh công tác chuyển đổi số trong những năm tiếp theo.",
        "Quyết định này có hiệu lực thi hành kể từ ngày ký. Chánh Văn phòng, Thủ trưởng các cơ "
        "quan, đơn vị được đánh giá và các cơ quan, đơn vị có liên quan chịu trách nhiệm thi "
        "hành Quyết định này./.",
    )
    for number, text in enumerate(articles, start=1):
        paragraph = _paragraph(document, align=justify)
        paragraph.paragraph_format.first_line_indent = Mm(10)
        paragraph.add_run(f"Điều {number}. ").bold = True
        paragraph.add_run(text)
    _signer(document, content)
    return _save(document)
