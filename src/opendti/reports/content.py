"""What an official report says, independent of its format: the period, the decision, and the
report's tables and charts, built once from the results and written as DOCX, PDF or XLSX.

Tables hold text cells exactly as printed (numbers already formatted with the period's decimals
and a Vietnamese decimal comma where the document is Vietnamese), so every format prints the same
numbers, and a test can compare a table with the results cell by cell.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    """A numbered table of the report (Bảng 1, Bảng 2…)."""

    number: int
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Optional: which rows are summary rows (the Trung bình row), printed in bold.
    emphasised: frozenset[int] = frozenset()
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart drawn as a PNG image (for DOCX and PDF), with a caption."""

    title: str
    png: bytes


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    level: int = 1  # optional: 2 for a subsection (a pillar's ranking within a group's section)
    # Optional: the report's part (1: process, 2: results, 3: assessment and tasks), whose title
    # (PART_TITLES) is printed before its first section; 0: no part (a document of one part).
    part: int = 0


PART_TITLES = {
    1: "PHẦN I. QUÁ TRÌNH THU THẬP VÀ XỬ LÝ SỐ LIỆU",
    2: "PHẦN II. KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG",
    3: "PHẦN III. ĐÁNH GIÁ CHUNG VÀ PHƯƠNG HƯỚNG TRONG THỜI GIAN TỚI",
}


def part_headings(sections: tuple[Section, ...]) -> list[tuple[str, Section]]:
    """Each section with the part title to print before it ("" when none): a part's title
    goes before its first section."""
    out, current = [], 0
    for section in sections:
        title = ""
        if section.part and section.part != current:
            title, current = PART_TITLES.get(section.part, ""), section.part
        out.append((title, section))
    return out


@dataclass(frozen=True)
class ReportContent:
    period_code: str
    title: str  # e.g. "Báo cáo kết quả đánh giá, xếp hạng mức độ chuyển đổi số năm 2023"
    year: int
    issuer: str  # the issuing body, e.g. "ỦY BAN NHÂN DÂN TỈNH ĐẮK NÔNG"
    issuer_parent: str  # the line above it, may be ""
    place: str  # "Đắk Nông" in "Đắk Nông, ngày … tháng … năm …"
    date: datetime.date
    decision_number: str  # "" while not approved (a draft)
    signer: str  # "" while not approved
    provisional: bool  # True: results not approved yet — printed as a draft (DỰ THẢO)
    sections: tuple[Section, ...] = field(default_factory=tuple)
    # Optional (added for the decision and the signer block; defaults keep older callers valid).
    subject: str = ""  # "kết quả đánh giá, xếp hạng … năm 2023", after "Về việc công bố"
    legal_bases: tuple[str, ...] = ()  # the decision's "Căn cứ …" paragraphs
    recipients: tuple[str, ...] = ()  # "Nơi nhận:" lines
    signer_on_behalf: str = "TM. ỦY BAN NHÂN DÂN"  # collective signing ("thay mặt")
    signer_role: str = "CHỦ TỊCH"
    number_suffix: str = "UBND"  # "Số: 401/QĐ-UBND", "Số:      /BC-UBND"
    # The periods the report covers (their codes, the requested one first) and the coordinator's
    # Part III text as written (field → text), for templates that place it themselves.
    periods: tuple[str, ...] = ()
    written: tuple[tuple[str, str], ...] = ()

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def part(self, number: int) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.part == number)


BLANK = "\u00a0" * 8  # room for the number or the day, filled in by hand when signed


def long_date(date: datetime.date) -> str:
    """'ngày 05 tháng 4 năm 2024': days below 10 and months 1 and 2 take a leading zero
    (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"ngày {date.day:02d} tháng {month} năm {date.year}"


def date_line(content: ReportContent) -> str:
    """'Đắk Nông, ngày 05 tháng 4 năm 2024'; a draft leaves the day and month to be written
    when it is signed."""
    if content.provisional:
        return f"{content.place}, ngày{BLANK}tháng{BLANK}năm {content.date.year}"
    return f"{content.place}, {long_date(content.date)}"
