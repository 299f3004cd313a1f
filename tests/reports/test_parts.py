"""The whole report (seed 004, Đắk Nông 2023): Part I generated from the periods (the decision and
the national basis, the method, the dated process, the participation counts), Part II per period
(the departments and the districts in one report, as 401/QĐ-UBND covers both), Part III's
generated findings and the coordinator's text printed as written. Checked in the DOCX as
python-docx reads it and in the PDF as pdfium reads it; the coordinator's text keeps its history;
a province's own Word template is used instead of the shipped one."""

from __future__ import annotations

import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from docx import Document
from docxtpl import DocxTemplate

from opendti.accounts.models import User
from opendti.appraisal.services.calendar import phase_extend
from opendti.assessments.models import Submission
from opendti.periods.models import Period, Phase
from opendti.publication.demo import demo_load_all
from opendti.reports import services
from opendti.reports.build import report_content
from opendti.reports.content import PART_TITLES
from opendti.reports.docx_report import decision_docx, default_template, report_docx
from opendti.reports.findings import findings
from opendti.reports.models import ReportFile, ReportTemplate, ReportTextChange
from opendti.reports.pdf import report_pdf
from opendti.reports.templates import report_template, template_upload
from opendti.reports.texts import report_text, report_text_save
from tests.login import login
from tests.results.fresh import period_scores

from .test_docx import keep, text_of
from .test_pdf import page_texts, render

pytestmark = pytest.mark.django_db

ASSESSMENT = "Đối với các Sở, ban, ngành: có 01 cơ quan xếp hạng ở mức tốt & điểm tăng.\nĐối với UBND các huyện: chưa có sự bứt phá."
LIMITATIONS = "Các cơ quan còn lúng túng trong việc tổng hợp số liệu <và> tài liệu kiểm chứng."
TASKS = "1. Tăng cường chỉ đạo, điều hành.\n\n2. Rà soát Bộ chỉ số cho phù hợp với thực tiễn."
PARTICIPATION = (
    "1. Thu thập số liệu: có 19/19 đơn vị thuộc Sở, ban, ngành, 08/08 đơn vị cấp huyện cung cấp "
    "số liệu."
)
SEED_PHASES = [
    "- Từ ngày 02/01/2024 đến hết ngày 15/01/2024 (tự đánh giá): các cơ quan, đơn vị tự đánh "
    "giá, cung cấp số liệu, tài liệu kiểm chứng.",
    "- Từ ngày 21/01/2024 đến hết ngày 30/01/2024 (thẩm định lần 1): Tổ thẩm định xem xét, công "
    "nhận hoặc điều chỉnh điểm các cơ quan, đơn vị tự đánh giá.",
    "- Từ ngày 31/01/2024 đến hết ngày 06/02/2024 (giải trình lần 1): các cơ quan, đơn vị giải "
    "trình, bổ sung số liệu, tài liệu theo yêu cầu của Tổ thẩm định.",
    "- Từ ngày 19/02/2024 đến hết ngày 21/02/2024 (thẩm định lần 2): Tổ thẩm định xem xét, công "
    "nhận hoặc điều chỉnh điểm các cơ quan, đơn vị tự đánh giá.",
    "- Từ ngày 22/02/2024 đến hết ngày 15/03/2024 (rà soát tổng hợp): cơ quan chủ trì rà soát, "
    "thống kê số liệu và xây dựng dự thảo báo cáo.",
]
NATIONAL = "- Căn cứ Quyết định số 922/QĐ-BTTTT ngày 20 tháng 5 năm 2022 của Bộ trưởng Bộ Thông tin"
DECISION = (
    "- Căn cứ Quyết định số 1552/QĐ-UBND ngày 19 tháng 9 năm 2022 của UBND tỉnh ban hành "
    "DTI Đắk Nông 2023 — Sở, ban, ngành và DTI Đắk Nông 2023 — cấp huyện."
)


def _periods() -> tuple[Period, Period]:
    demo_load_all()
    return Period.objects.get(code="2023-departments"), Period.objects.get(code="2023-districts")


def _write(period: Period, user: User, reason: str = "") -> None:
    report_text_save(
        period=period,
        values={"assessment": ASSESSMENT, "limitations": LIMITATIONS, "tasks": TASKS},
        reason=reason,
        actor=user,
    )


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_the_report_of_two_periods_has_the_three_parts_in_the_docx() -> None:
    departments, districts = _periods()
    coordinator = User.objects.get(username="dieuphoi")
    _write(departments, coordinator)
    content = report_content(departments, also=[districts])
    data = report_docx(content)
    keep("2023-so-va-huyen-bao-cao.docx", data)
    document = Document(io.BytesIO(data))
    body = text_of(document)
    paragraphs = [p.text for p in document.paragraphs]

    # The three parts, in order, each once.
    positions = [paragraphs.index(PART_TITLES[n]) for n in (1, 2, 3)]
    assert positions == sorted(positions)
    # Part I: the basis (the national decision before the province's, which issued both
    # frameworks), the assessed window, the seed's dated phases and the participation counts.
    assert any(p.startswith(NATIONAL) for p in paragraphs)
    assert DECISION in paragraphs
    assert "Kết quả được phê duyệt tại Quyết định số 401/QĐ-UBND ngày 05 tháng 4 năm 2024." in body
    assert (
        "- Thời gian đánh giá (DTI Đắk Nông 2023 — Sở, ban, ngành): từ ngày 01/01/2023 đến hết "
        "ngày 20/12/2023." in paragraphs
    )
    assert PARTICIPATION in paragraphs
    start = paragraphs.index("2. Thời gian thực hiện:")
    assert paragraphs[start + 1 : start + 6] == SEED_PHASES  # one calendar: listed once
    # Part II: each period its numbered section and its own ranking tables, numbered across both.
    assert "I. Kết quả, xếp hạng: DTI Đắk Nông 2023 — Sở, ban, ngành" in paragraphs
    assert "II. Kết quả, xếp hạng: DTI Đắk Nông 2023 — cấp huyện" in paragraphs
    rankings = [t for t in document.tables[1:-1] if t.rows[0].cells[-1].text == "Mức xếp loại"]
    units = [len(t.rows) - 2 for t in rankings]  # header and the average row
    assert units == [19, 8]
    assert "Sở Thông tin và Truyền thông" in rankings[0].rows[1].cells[1].text
    assert "UBND huyện Đắk Song" in rankings[1].rows[1].cells[1].text
    captions = [p for p in paragraphs if p.startswith("Bảng ")]
    assert [c.split(":")[0] for c in captions] == [f"Bảng {n}" for n in range(1, len(captions) + 1)]
    # Part III: the findings of each period, then the coordinator's text as written, a paragraph
    # a line ("&" and "<…>" kept as text).
    part3 = paragraphs[positions[2] :]
    assert (
        "- Các chỉ số chính có tỷ lệ điểm trung bình thấp nhất (so với điểm tối đa): An toàn "
        "thông tin mạng (34,9%); Hoạt động chính quyền số (39,0%); Hoạt động xã hội số (41,3%)."
    ) in part3
    for line in _lines(ASSESSMENT) + _lines(LIMITATIONS) + _lines(TASKS):
        assert line in part3
    assert (
        part3.index(_lines(ASSESSMENT)[0])
        < part3.index(LIMITATIONS)
        < part3.index(_lines(TASKS)[1])
    )
    assert "Hạn chế và nguyên nhân" in " ".join(part3)

    # The decision covers both periods too.
    decision = text_of(Document(io.BytesIO(decision_docx(content))))
    assert "DTI Đắk Nông 2023 — Sở, ban, ngành; DTI Đắk Nông 2023 — cấp huyện" in decision
    assert decision.index("Căn cứ Quyết định số 922/QĐ-BTTTT") < decision.index(
        "Căn cứ Quyết định số 1552/QĐ-UBND"
    )


def test_part_one_counts_what_was_sent_and_names_what_is_missing() -> None:
    departments, _districts = _periods()
    # A unit whose self-assessment was not sent is counted out, per period.
    Submission.objects.filter(
        participation__period=departments, participation__unit__code="tai-chinh"
    ).update(status=Submission.Status.DRAFT)
    framework = departments.framework
    framework.national_basis = ""
    framework.decision_date = None
    framework.save()
    basis, _method, process = report_content(departments).part(1)
    assert process.paragraphs[0] == (
        "1. Thu thập số liệu: có 18/19 đơn vị thuộc Sở, ban, ngành cung cấp số liệu."
    )
    text = " ".join(basis.paragraphs)
    assert "Bộ chỉ số chưa ghi văn bản căn cứ cấp trung ương" in text
    assert "(chưa ghi ngày ban hành của quyết định)" in text
    assert "922/QĐ-BTTTT" not in text
    framework.decision_number = ""
    framework.save()
    basis = report_content(departments).part(1)[0]
    assert any("chưa ghi số, ngày và cơ quan ban hành quyết định" in p for p in basis.paragraphs)
    assert "1552" not in " ".join(basis.paragraphs)


def test_findings_in_a_period_with_groups_and_a_previous_one() -> None:
    demo_load_all()
    period = Period.objects.get(code="2025-communes")
    coordinator = User.objects.get(username="dieuphoi")
    phase = period.phase(Phase.Kind.REPLY)
    old = (phase.starts_on, phase.ends_on)
    phase_extend(
        phase=phase,
        actor=coordinator,
        starts_on=phase.starts_on,
        ends_on=phase.ends_on + datetime.timedelta(days=5),
        reason="Trùng kỳ nghỉ lễ.",
    )
    scores = period_scores(period=period)
    found = findings(scores)
    # The units that fell back are those whose total is below last year's, lowest change first.
    fell = {c.unit: c.change for c in scores.change.units if c.change is not None and c.change < 0}
    names = {u.code: u.name for u in scores.result.units}
    assert [f.name for f in found.fell_back] == [
        names[code] for code in sorted(fell, key=lambda c: fell[c])
    ]
    assert found.fell_back
    # The component most units scored zero on, counted from the units' own scores.
    top = found.most_zero[0]
    zero = [u for u in scores.result.units if u.nodes.get(top.code) == 0 and u.node_max[top.code]]
    assert top.zero_units == len(zero) == max(z.zero_units for z in found.most_zero)
    # The weakest main index's share is its units' points over their maxima.
    weakest = found.weakest_main[0]
    points = sum(u.nodes[weakest.code] or 0 for u in scores.result.units)
    maxima = sum(u.node_max[weakest.code] or 0 for u in scores.result.units)
    assert weakest.percent == (points * 100 / maxima).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )

    content = report_content(period)
    part1 = " ".join(p for s in content.part(1) for p in s.paragraphs)
    assert "đơn vị nhóm Xã" in part1 and "đơn vị nhóm Phường" in part1
    assert (
        f"Thời gian đã được điều chỉnh 01 lần (ban đầu từ ngày {old[0]:%d/%m/%Y} đến hết ngày "
        f"{old[1]:%d/%m/%Y}; lý do: Trùng kỳ nghỉ lễ)."
    ) in part1
    part3 = content.part(3)[0].paragraphs
    falls = [p for p in part3 if "giảm điểm so với kỳ trước" in p]
    assert falls == [
        f"- Có {len(found.fell_back):02d} đơn vị giảm điểm so với kỳ trước: "
        + ", ".join(
            f"{f.name} (giảm {str(abs(f.change)).replace('.', ',')} điểm)" for f in found.fell_back
        )
        + "."
    ]
    assert any(
        p.startswith("- Các chỉ số thành phần có nhiều đơn vị đạt 0 điểm nhất: ") for p in part3
    )
    # Without a text, Part III says it is missing rather than printing nothing.
    assert content.part(3)[-1].paragraphs == ("(Bộ phận điều phối chưa nhập nội dung phần này.)",)


def test_the_pdf_carries_the_same_parts() -> None:
    departments, districts = _periods()
    _write(departments, User.objects.get(username="dieuphoi"))
    data = report_pdf(report_content(departments, also=[districts]))
    render(data, "2023-so-va-huyen-bao-cao", pages=[1, 2])
    text = " ".join(" ".join(page.split()) for page in page_texts(data))
    for title in PART_TITLES.values():
        assert title in text
    assert PARTICIPATION in text
    assert " ".join(SEED_PHASES[0].split()) in text
    assert "I. Kết quả, xếp hạng: DTI Đắk Nông 2023 — Sở, ban, ngành" in text
    assert "II. Kết quả, xếp hạng: DTI Đắk Nông 2023 — cấp huyện" in text
    for line in [*_lines(ASSESSMENT), LIMITATIONS, *_lines(TASKS)]:
        assert line in text
    assert text.index(PART_TITLES[1]) < text.index(PART_TITLES[2]) < text.index(PART_TITLES[3])


def test_the_coordinators_text_keeps_its_history() -> None:
    departments, _districts = _periods()
    coordinator = User.objects.get(username="dieuphoi")
    approver = User.objects.get(username="pheduyet")
    with pytest.raises(PermissionDenied):
        _write(departments, approver)
    _write(departments, coordinator)
    assert ReportTextChange.objects.count() == 3  # the first text needs no reason
    # Changing a written part needs a reason; refused, nothing changes.
    with pytest.raises(ValidationError) as refused:
        report_text_save(
            period=departments, values={"tasks": "Khác."}, reason=" ", actor=coordinator
        )
    assert "đã có nội dung: hãy ghi lý do thay đổi" in " ".join(refused.value.messages)
    assert report_text(departments).tasks == TASKS.strip()
    assert ReportTextChange.objects.count() == 3
    changes = report_text_save(
        period=departments,
        values={"tasks": "Khác.\r\nDòng hai.", "assessment": ASSESSMENT},
        reason="Theo ý kiến lãnh đạo Sở",
        actor=coordinator,
    )
    (change,) = changes  # the unchanged part is not recorded again
    assert (change.field, change.before, change.after) == ("tasks", TASKS, "Khác.\nDòng hai.")
    assert change.actor == coordinator and change.reason == "Theo ý kiến lãnh đạo Sở"
    assert change.at is not None
    content = report_content(departments)
    assert content.part(3)[-1].paragraphs == ("Khác.", "Dòng hai.")

    # The page: the coordinator writes and sees the history; a refusal keeps what was typed.
    client = login(Client(), coordinator)
    url = reverse("portal:report_text", args=[departments.code])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Theo ý kiến lãnh đạo Sở" in html and "Hạn chế và nguyên nhân" in html
    typed = {"assessment": "Đánh giá mới.", "limitations": LIMITATIONS, "tasks": "Khác."}
    refused_page = client.post(url, {**typed, "reason": ""})
    assert refused_page.status_code == 422
    assert "Đánh giá mới." in refused_page.content.decode()
    assert report_text(departments).assessment == ASSESSMENT
    saved = client.post(url, {**typed, "reason": "Cập nhật số liệu"})
    assert saved.status_code == 302
    assert report_text(departments).assessment == "Đánh giá mới."
    recorded = ReportTextChange.objects.filter(reason="Cập nhật số liệu")
    assert {c.field for c in recorded} == {"assessment", "tasks"}  # limitations unchanged


def _province_template() -> bytes:
    """A province's own template, written in the test with docxtpl's tags."""
    document = Document()
    document.add_paragraph("SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH MẪU — {{ issuer|upper }}")
    document.add_paragraph("{{ number }} · {{ date_line }}")
    document.add_paragraph("{{p part1 }}")
    document.add_paragraph("Kết quả chi tiết:")
    document.add_paragraph("{{p part2 }}")
    document.add_paragraph("Ý KIẾN CỦA TỈNH: {{ assessment }}")
    document.add_paragraph("{%p for line in recipients %}")
    document.add_paragraph("Gửi: {{ line }}")
    document.add_paragraph("{%p endfor %}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_province_replaces_the_template(file_storages) -> None:
    departments, districts = _periods()
    coordinator = User.objects.get(username="dieuphoi")
    _write(departments, coordinator)
    content = report_content(departments, also=[districts])
    data = report_docx(content, _province_template())
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == ("SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH MẪU — ỦY BAN NHÂN DÂN TỈNH ĐẮK NÔNG")
    assert PARTICIPATION in paragraphs
    assert paragraphs.index(PARTICIPATION) < paragraphs.index("Kết quả chi tiết:")
    assert f"Ý KIẾN CỦA TỈNH: {ASSESSMENT.splitlines()[0]}" in "\n".join(paragraphs)
    assert "Gửi: Lưu: VT." in paragraphs
    assert PART_TITLES[3] not in paragraphs  # this template has no Part III
    # The tables and charts of Part II are the report's own, in the province's document.
    assert len(document.tables) == len(content.part(2)[0].tables) + sum(
        len(s.tables) for s in content.part(2)[1:]
    )
    assert len(document.inline_shapes) == sum(len(s.charts) for s in content.sections)

    # Uploaded, it is the template of every report from then on; a broken one is refused.
    with pytest.raises(ValidationError) as refused:
        template_upload(data=b"{{ not a docx", name="x.docx", reason="", actor=coordinator)
    assert "tài liệu Word (.docx)" in " ".join(refused.value.messages)
    broken = Document()
    broken.add_paragraph("{% if provisional %}không đóng thẻ")
    buffer = io.BytesIO()
    broken.save(buffer)
    with pytest.raises(ValidationError) as refused:
        template_upload(data=buffer.getvalue(), name="loi.docx", reason="", actor=coordinator)
    assert "Mẫu có thẻ không đúng cú pháp" in " ".join(refused.value.messages)
    assert not ReportTemplate.objects.exists()
    assert report_template() == default_template()
    ours = _province_template()
    template_upload(data=ours, name="mau-tinh.docx", reason="Mẫu của tỉnh", actor=coordinator)
    assert report_template() == ours
    generated = Document(io.BytesIO(report_docx(report_content(departments))))
    assert generated.paragraphs[0].text.startswith("SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH MẪU")


def test_the_shipped_template_is_a_template_a_province_can_start_from() -> None:
    tags = DocxTemplate(io.BytesIO(default_template())).get_undeclared_template_variables()
    assert {"part1", "part2", "part3", "issuer", "number", "date_line", "signer"} <= tags


def test_a_report_request_covers_approved_periods_of_the_same_year(
    file_storages, django_capture_on_commit_callbacks
) -> None:
    departments, districts = _periods()
    coordinator = User.objects.get(username="dieuphoi")
    assert [p.code for p in services.includable_periods(departments)] == ["2023-districts"]
    for code in ("2025-communes", "2024-communes"):  # another year; not approved either
        with pytest.raises(ValidationError) as refused:
            services.report_request(
                period=departments, kind="report_docx", actor=coordinator, also=[code]
            )
        assert f"Không gộp được kỳ {code}" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        services.report_request(
            period=departments, kind="scorecards_pdf", actor=coordinator, also=[districts.code]
        )
    assert not ReportFile.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        report = services.report_request(
            period=departments, kind="report_docx", actor=coordinator, also=[districts.code]
        )
    report = services.report_generate(report.pk)
    assert report.status == ReportFile.Status.DONE, report.error
    with services.report_open(report) as handle:
        paragraphs = [p.text for p in Document(io.BytesIO(handle.read())).paragraphs]
    assert PARTICIPATION in paragraphs
    assert "II. Kết quả, xếp hạng: DTI Đắk Nông 2023 — cấp huyện" in paragraphs
