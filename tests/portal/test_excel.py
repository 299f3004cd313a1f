"""Excel data entry: the template filled offline and uploaded gives the same values as entering
them by hand; errors are located by row and column and nothing is written; a change made on the
system after the download refuses the whole upload."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from opendti.accounts.models import User
from opendti.assessments.access import access_submission
from opendti.assessments.models import Change, InputValue
from opendti.assessments.services import answer_get, answer_save
from opendti.frameworks.models import Node
from opendti.results.demo import OPEN_PERIOD, demo_load
from tests.login import login

pytestmark = pytest.mark.django_db

BASE = f"/ky/{OPEN_PERIOD}/don-vi/"
# indicator code -> {input name: what a person types}, the same in the file and in the form
TYPED = {
    "1.1": {"": "Có"},
    "1.2": {"": "3"},
    "1.3": {"": "Một phần"},
    "2.2": {"numerator": "30", "denominator": "42"},
    "4.1": {"": "62,5"},
    "5.2": {"": "1"},
}


@pytest.fixture
def demo() -> None:
    demo_load()


def client_as(username: str) -> Client:
    client = Client()
    login(client, User.objects.get(username=username))
    return client


def filled(template: bytes, typed: dict[str, dict[str, str]], *, estimate: str = "") -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book["Phieu tu danh gia"]
    for row in sheet.iter_rows(min_row=2):
        code, name = row[0].value, row[2].value or ""
        if code in typed and name in typed[code]:
            row[7].value = typed[code][name]
            if estimate and code == estimate and row[1].value:
                row[8].value = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: Client, unit: str, content: bytes, name: str = "phieu.xlsx"):
    return client.post(BASE + f"{unit}/tai-len-excel/", {"file": SimpleUploadedFile(name, content)})


def stored(unit: str) -> dict[tuple[str, str], str]:
    return {
        (code, name): value
        for code, name, value in InputValue.objects.filter(
            submission__participation__period__code=OPEN_PERIOD,
            submission__participation__unit__code=unit,
        ).values_list("node__code", "input_name", "value")
    }


def test_a_filled_template_gives_the_same_values_as_the_form(demo) -> None:
    focal = client_as("daumoi")
    template = focal.get(BASE + "xa-hoa-binh/mau-excel/")
    assert template.status_code == 200
    assert template["Content-Disposition"].startswith("attachment;")
    preview = upload(focal, "xa-hoa-binh", filled(template.content, TYPED, estimate="1.2"))
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="excel-changes"' in html
    assert html.count("<tr data-node=") == len(TYPED)
    assert not stored("xa-hoa-binh")  # nothing written before "Áp dụng"
    # The form's checks on the values as they would be: 1.1 still needs its evidence.
    row_1_1 = html.split('data-node="1.1"', 1)[1].split("</tr>", 1)[0]
    assert 'data-kind="evidence_missing"' in row_1_1
    assert 'data-kind="missing"' not in row_1_1
    focal.post(BASE + "xa-hoa-binh/tai-len-excel/ap-dung/")
    # The same typing through the form's save, for another unit.
    other = User.objects.get(username="daumoi2")
    submission = access_submission(other, OPEN_PERIOD, "xa-tan-lap")
    for code, raw in TYPED.items():
        node = Node.objects.get(framework=submission.participation.period.framework, code=code)
        answer_save(
            submission=submission, node=node, raw=raw,
            version=answer_get(submission, node).version, actor=other,
        )  # fmt: skip
    assert stored("xa-hoa-binh") == stored("xa-tan-lap")
    assert stored("xa-hoa-binh")[("4.1", "")] == "62.5"
    estimate = Change.objects.filter(
        submission__participation__unit__code="xa-hoa-binh", field="is_estimate"
    )
    assert [c.node.code for c in estimate] == ["1.2"]
    assert all(
        c.reason == "system:excel_upload"  # named in the reader's language when shown
        for c in Change.objects.filter(submission__participation__unit__code="xa-hoa-binh")
    )


def test_errors_are_located_and_nothing_is_written(demo) -> None:
    focal = client_as("daumoi")
    template = focal.get(BASE + "xa-hoa-binh/mau-excel/").content
    typed = {**TYPED, "1.2": {"": "ba buổi"}, "1.3": {"": "Không rõ"}}
    response = upload(focal, "xa-hoa-binh", filled(template, typed))
    html = response.content.decode()
    assert response.status_code == 422 and 'id="excel-problems"' in html
    rows = {r[0].value: r[0].row for r in load_workbook(io.BytesIO(template))["Phieu tu danh gia"].iter_rows(min_row=2) if r[1].value}  # fmt: skip
    assert f"Dòng {rows['1.2']}, cột H" in html and "không phải là số" in html
    assert f"Dòng {rows['1.3']}, cột H" in html
    assert focal.post(BASE + "xa-hoa-binh/tai-len-excel/ap-dung/").status_code == 302
    assert not stored("xa-hoa-binh")


def test_another_units_template_and_a_disguised_program_are_refused(demo) -> None:
    template = client_as("daumoi2").get(BASE + "xa-tan-lap/mau-excel/").content
    response = upload(client_as("daumoi"), "xa-hoa-binh", template)
    assert response.status_code == 422 and "không phải phiếu này" in response.content.decode()
    program = b"MZ\x90\x00" + b"\x00" * 200
    response = upload(client_as("daumoi"), "xa-hoa-binh", program, "phieu.xlsx")
    assert response.status_code == 422
    assert "Loại tệp không được chấp nhận" in response.content.decode()


def test_a_change_made_after_the_download_refuses_the_whole_upload(demo) -> None:
    focal = client_as("daumoi")
    template = focal.get(BASE + "xa-hoa-binh/mau-excel/").content
    focal.post(
        BASE + "xa-hoa-binh/chi-so/1.2/luu/",
        {"version": "0", "v-1.2-": "5"},
        HTTP_HX_REQUEST="true",
    )
    upload(focal, "xa-hoa-binh", filled(template, TYPED))
    response = focal.post(BASE + "xa-hoa-binh/tai-len-excel/ap-dung/", follow=True)
    assert "1.2 đã được sửa trên hệ thống sau khi bạn tải mẫu" in response.content.decode()
    assert stored("xa-hoa-binh") == {("1.2", ""): "5"}  # not even the other indicators
