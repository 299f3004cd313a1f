"""Parts I and III of the annual report, generated from the periods it covers (seed 004, Đắk
Nông's report): Part I — purpose and basis (the framework's decision and the national document it
rests on), method, the dated process and the participation counts; Part III — the generated
findings and the text the coordinator wrote, printed as written.

Nothing is invented: a decision without its number, date or issuer, or a framework naming no
national basis, is stated as missing, in words, where the number would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from opendti import numbers
from opendti.assessments.models import Submission
from opendti.frameworks.models import Framework
from opendti.periods.calendar import date_text, phase_label
from opendti.periods.models import Participation, Period, Phase
from opendti.periods.names import group_names
from opendti.results.source import PeriodScores

from . import findings
from .content import Section, long_date
from .models import ReportText

Kind = Phase.Kind

# What each phase is for, as the seed's "Thời gian thực hiện" states it.
PHASE_WORK = {
    Kind.SELF_ASSESSMENT: "các cơ quan, đơn vị tự đánh giá, cung cấp số liệu, tài liệu kiểm chứng",
    Kind.APPRAISAL: (
        "Tổ thẩm định xem xét, công nhận hoặc điều chỉnh điểm các cơ quan, đơn vị tự đánh giá"
    ),
    Kind.EXPLANATION: (
        "các cơ quan, đơn vị giải trình, bổ sung số liệu, tài liệu theo yêu cầu của Tổ thẩm định"
    ),
    Kind.REPLY: "các cơ quan, đơn vị phản hồi kết quả dự kiến",
    Kind.COORDINATOR_REVIEW: (
        "cơ quan chủ trì rà soát, thống kê số liệu và xây dựng dự thảo báo cáo"
    ),
    Kind.APPROVAL: "trình cấp có thẩm quyền phê duyệt kết quả",
    Kind.PUBLICATION: "công bố kết quả",
}
NO_TEXT = "(Bộ phận điều phối chưa nhập nội dung phần này.)"


@dataclass(frozen=True)
class Covered:
    """One period of the report, with the numbers it prints."""

    period: Period
    scores: PeriodScores
    introduction: tuple[str, ...]  # build._introduction's paragraphs for it


def _named(period: Period, many: bool) -> str:
    return f" ({period.title})" if many else ""


# --- Part I -------------------------------------------------------------------------------------


def _decision(framework: Framework, names: Sequence[str]) -> str:
    """'Quyết định số 1552/QĐ-UBND ngày 19 tháng 9 năm 2022 của UBND tỉnh ban hành …' (the
    frameworks it issued, by name), or what is missing of it."""
    if not framework.decision_number:
        return (
            f"{framework.name}: chưa ghi số, ngày và cơ quan ban hành quyết định ban hành bộ chỉ "
            "số (cần bổ sung trong thông tin bộ chỉ số)."
        )
    text = f"Quyết định số {framework.decision_number}"
    missing = []
    if framework.decision_date:
        text += f" {long_date(framework.decision_date)}"
    else:
        missing.append("ngày ban hành")
    if framework.decision_issuer:
        text += f" của {framework.decision_issuer}"
    else:
        missing.append("cơ quan ban hành")
    text += f" ban hành {' và '.join(names)}"
    if missing:
        text += f" (chưa ghi {' và '.join(missing)} của quyết định)"
    return text + "."


def _basis(covered: Sequence[Covered]) -> Section:
    frameworks: list[Framework] = []
    for c in covered:
        if all(f.pk != c.period.framework_id for f in frameworks):
            frameworks.append(c.period.framework)
    paragraphs = [p for c in covered for p in c.introduction[:1]]
    national = sorted({f.national_basis.strip().rstrip(";.") for f in frameworks} - {""})
    for basis in national:
        paragraphs.append(f"- Căn cứ {basis}.")
    if not national:
        paragraphs.append(
            "- Bộ chỉ số chưa ghi văn bản căn cứ cấp trung ương (cần bổ sung trong thông tin bộ "
            "chỉ số nếu có)."
        )
    # Frameworks issued by the same decision (a province's departments and districts) are
    # cited once, with every framework it issued.
    decisions: dict[tuple, list[Framework]] = {}
    for framework in frameworks:
        key = (framework.decision_number, framework.decision_date, framework.decision_issuer)
        decisions.setdefault(key if framework.decision_number else (framework.pk,), []).append(
            framework
        )
    for same in decisions.values():
        paragraphs.append(f"- Căn cứ {_decision(same[0], [f.name for f in same])}")
    paragraphs.append(
        "- Mục đích: theo dõi, đánh giá thực chất, khách quan và công bằng kết quả chuyển đổi số "
        "của các cơ quan, đơn vị; là cơ sở để các cơ quan, đơn vị xây dựng kế hoạch, giải pháp "
        "nâng cao mức độ chuyển đổi số."
    )
    # The approval (or draft) paragraph of each period, once when they say the same.
    for paragraph in (p for c in covered for p in c.introduction[2:]):
        if paragraph not in paragraphs:
            paragraphs.append(paragraph)
    return Section("I. Mục đích và căn cứ", tuple(paragraphs), part=1)


def _bands(framework) -> str:
    scheme = framework.total_bands
    if scheme is None:
        return ""
    unit = "%" if scheme.basis == "percent" else " điểm"
    described = []
    for band in scheme.bands:
        if band.lower is None:
            described.append(f"{band.label} (còn lại)")
        else:
            word = "từ" if band.lower_inclusive else "trên"
            described.append(f"{band.label} ({word} {numbers.vi(band.lower, trim=True)}{unit})")
    basis = "tỷ lệ điểm đạt" if scheme.basis == "percent" else "tổng điểm"
    return f"Mức xếp loại theo {basis}: {', '.join(described)}."


def _method(covered: Sequence[Covered]) -> Section:
    many = len(covered) > 1
    paragraphs = [
        "- Việc đánh giá, xếp hạng được thực hiện bằng hình thức cho điểm đối với các nội dung "
        "đánh giá."
    ]
    for c in covered:
        framework = c.scores.assessment.framework
        main = sum(1 for n in framework.nodes if n.kind == "main")
        components = sum(1 for n in framework.nodes if n.kind == "component")
        text = f"- Bộ chỉ số{_named(c.period, many)} gồm {main:02d} chỉ số chính"
        if components:
            text += f", {components:02d} chỉ số thành phần"
        top = c.period.framework.total_max or c.scores.assessment.settings.total_max
        if top:
            text += f", thang điểm {numbers.vi(top, trim=True)} điểm"
        text += "."
        if bands := _bands(framework):
            text += f" {bands}"
        paragraphs.append(text)
        period = c.period
        if period.assessed_from and period.assessed_to:
            window = (
                f"từ ngày {date_text(period.assessed_from)} đến hết ngày "
                f"{date_text(period.assessed_to)}"
            )
        elif period.quarter:
            window = f"quý {period.quarter} năm {period.year}"
        else:
            window = f"năm {period.year}"
        paragraphs.append(f"- Thời gian đánh giá{_named(period, many)}: {window}.")
    paragraphs.append(
        "- Việc xếp hạng căn cứ vào tổng điểm (hoặc tỷ lệ điểm đạt khi điểm tối đa áp dụng của "
        "các đơn vị khác nhau) của từng cơ quan, đơn vị, theo thứ tự từ cao đến thấp."
    )
    return Section("II. Phương pháp đánh giá và cho điểm", tuple(paragraphs), part=1)


def _noun(name: str, group: bool) -> str:
    if name.lower().startswith("cấp "):
        return f"đơn vị {name[:1].lower()}{name[1:]}"
    return f"đơn vị nhóm {name}" if group else f"đơn vị thuộc {name}"


def participation_counts(period: Period) -> list[tuple[str, int, int]]:
    """(who, units that sent their self-assessment, participating units) per ranking group, or
    once for the period's level when it has no groups."""
    rows = (
        Participation.objects.filter(period=period)
        .values("group__code")
        .annotate(
            total=Count("pk"),
            sent=Count("pk", filter=Q(submission__status=Submission.Status.SUBMITTED)),
        )
        .order_by("group__code")
    )
    found = [(r["group__code"] or "", r["sent"], r["total"]) for r in rows]
    names = group_names(period, [code for code, _s, _t in found])
    level = period.framework.level.name
    return [
        (_noun(names[code], True) if code else _noun(level, False), sent, total)
        for code, sent, total in found
    ]


def _participation(covered: Sequence[Covered]) -> str:
    counts = [
        f"{sent:02d}/{total:02d} {who}"
        for c in covered
        for who, sent, total in participation_counts(c.period)
    ]
    if not counts:
        return "1. Thu thập số liệu: kỳ đánh giá chưa có đơn vị tham gia."
    return f"1. Thu thập số liệu: có {', '.join(counts)} cung cấp số liệu."


def _phase_line(phase: Phase) -> str:
    label = phase_label(phase.kind, phase.round_number)
    line = (
        f"- Từ ngày {date_text(phase.starts_on)} đến hết ngày {date_text(phase.ends_on)} "
        f"({label}): {PHASE_WORK.get(Kind(phase.kind), label)}."
    )
    extensions = list(phase.extensions.all())
    if extensions:
        first, last = extensions[0], extensions[-1]
        line += (
            f" Thời gian đã được điều chỉnh {len(extensions):02d} lần (ban đầu từ ngày "
            f"{date_text(first.old_starts_on)} đến hết ngày {date_text(first.old_ends_on)}; "
            f"lý do: {last.reason.strip().rstrip('.')})."
        )
    return line


def _phases(period: Period) -> list[Phase]:
    return sorted(
        period.phases.prefetch_related("extensions"),
        key=lambda p: (p.starts_on, list(Kind.values).index(p.kind), p.round_number or 0),
    )


def _process(covered: Sequence[Covered]) -> Section:
    paragraphs = [_participation(covered), "2. Thời gian thực hiện:"]
    calendars = [(c.period, [_phase_line(p) for p in _phases(c.period)]) for c in covered]
    shared = all(lines == calendars[0][1] for _p, lines in calendars)
    for period, lines in calendars[:1] if shared else calendars:
        if not shared:
            paragraphs.append(f"{period.title}:")
        paragraphs += lines or ["- Kỳ đánh giá chưa có lịch các giai đoạn."]
    return Section("III. Quá trình thu thập và xử lý số liệu", tuple(paragraphs), part=1)


def part_one(covered: Sequence[Covered]) -> list[Section]:
    return [_basis(covered), _method(covered), _process(covered)]


# --- Part III -----------------------------------------------------------------------------------


def _written(value: str) -> tuple[str, ...]:
    """The coordinator's text as written: one paragraph per line, blank lines dropped."""
    lines = tuple(line.strip() for line in value.splitlines() if line.strip())
    return lines or (NO_TEXT,)


def part_three(covered: Sequence[Covered], text: ReportText | None) -> list[Section]:
    many = len(covered) > 1
    generated: list[str] = []
    for c in covered:
        if many:
            generated.append(f"{c.period.title}:")
        generated += findings.sentences(findings.findings(c.scores))
    assessment = _written(text.assessment if text else "")
    return [
        Section(
            "I. Đánh giá chung",
            ("1. Kết quả nổi bật và các chỉ số cần cải thiện:", *generated),
            part=3,
        ),
        Section("2. Nhận định của cơ quan chủ trì", assessment, level=2, part=3),
        Section(
            "3. Hạn chế và nguyên nhân",
            _written(text.limitations if text else ""),
            level=2,
            part=3,
        ),
        Section("II. Nhiệm vụ trong thời gian tới", _written(text.tasks if text else ""), part=3),
    ]
