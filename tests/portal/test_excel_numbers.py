"""Numbers in the Excel upload, read as the web form reads them: a text cell in Vietnamese
notation (1.000 is a thousand in a count; 1.234 in a decimal input has two readings and is
refused), a number Excel holds natively as that number; bounds and numerator ≤ denominator
refused with the row, the column and the input named; the template writes numbers natively."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from opendti.results.demo import OPEN_PERIOD
from tests.results.fresh import period_score

from .test_excel import BASE, client_as, demo, filled, stored, upload

__all__ = ["demo"]  # the fixture, used by name

pytestmark = pytest.mark.django_db

UNIT = "xa-hoa-binh"


def template(focal) -> bytes:
    return focal.get(BASE + f"{UNIT}/mau-excel/").content


def rows_of(content: bytes) -> dict[tuple[str, str], int]:
    sheet = load_workbook(io.BytesIO(content))["Phieu tu danh gia"]
    return {
        (r[0].value, r[2].value or ""): r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value
    }


def test_vietnamese_text_and_native_numbers_are_read_as_the_form_reads_them(demo) -> None:
    focal = client_as("daumoi")
    typed = {
        "2.2": {"numerator": "1.000", "denominator": "1.500"},  # text cells: counts, grouped
        "4.1": {"": "12,5"},  # a decimal comma
        "5.2": {"": 2.0},  # a number Excel holds natively
        "1.2": {"": "1.234,5"},  # grouped with decimals
    }
    preview = upload(focal, UNIT, filled(template(focal), typed))
    html = preview.content.decode()
    assert preview.status_code == 200, html
    # The preview shows the values as people write them, by their input's label.
    row = html.split('data-node="2.2"', 1)[1].split("</tr>", 1)[0]
    assert ": 1.000</code>" in row and ": 1.500</code>" in row
    focal.post(BASE + f"{UNIT}/tai-len-excel/ap-dung/")
    values = stored(UNIT)
    assert values[("2.2", "numerator")] == "1000" and values[("2.2", "denominator")] == "1500"
    assert values[("4.1", "")] == "12.5"
    assert values[("5.2", "")] == "2"
    assert values[("1.2", "")] == "1234.5"
    # 1000 of 1500 tasks: two thirds of 2.2's maximum, not 0,05 points.
    _assessment, result = period_score(period=_period())
    node = result.unit(UNIT).nodes["2.2"]
    assert node is not None and node > Decimal(0) and node == _two_thirds_of("2.2")


def _period():
    from opendti.periods.models import Period

    return Period.objects.get(code=OPEN_PERIOD)


def _two_thirds_of(code: str) -> Decimal:
    from opendti.frameworks.models import Node

    maximum = Node.objects.get(framework=_period().framework, code=code).max_points
    return (maximum * 1000 / 1500).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("code", "name", "cell", "says"),
    [
        ("4.1", "", "1.234", "có hai cách hiểu: 1234 hoặc 1,234"),
        ("4.1", "", "12.5", "Có phải là 125 hay 12,5?"),
        ("4.1", "", 150, "tỷ lệ phải từ 0% đến 100% (đã nhập 150%)"),
        ("2.2", "numerator", 1.234, "không phải là số nguyên"),  # an English Excel's 1.234
        ("2.2", "numerator", "-3", "không được là số âm (đã nhập -3)"),
        ("4.1", "", "1e999999", "không phải là số"),
    ],
)
def test_bad_numbers_are_located_and_nothing_is_written(demo, code, name, cell, says) -> None:
    focal = client_as("daumoi")
    content = template(focal)
    typed = {code: {name: cell}}
    if code == "2.2":
        typed[code]["denominator" if name == "numerator" else "numerator"] = "200"
    response = upload(focal, UNIT, filled(content, typed))
    html = response.content.decode()
    assert response.status_code == 422, html
    assert f"Dòng {rows_of(content)[(code, name)]}, cột H" in html
    assert says in html
    assert not stored(UNIT)


def test_a_numerator_above_its_denominator_names_both(demo) -> None:
    focal = client_as("daumoi")
    content = template(focal)
    typed = {"2.2": {"numerator": "1.500", "denominator": "1.234"}}
    html = upload(focal, UNIT, filled(content, typed)).content.decode()
    assert f"Dòng {rows_of(content)[('2.2', 'numerator')]}, cột H" in html
    assert "(1.500) lớn hơn" in html and "(1.234)" in html
    assert not stored(UNIT)


def test_the_template_holds_numbers_natively(demo) -> None:
    focal = client_as("daumoi")
    focal.post(
        BASE + f"{UNIT}/chi-so/2.2/luu/",
        {"version": "0", "v-2.2-numerator": "1.000", "v-2.2-denominator": "1.500"},
        HTTP_HX_REQUEST="true",
    )
    focal.post(
        BASE + f"{UNIT}/chi-so/4.1/luu/",
        {"version": "0", "v-4.1-": "12,5"},
        HTTP_HX_REQUEST="true",
    )
    sheet = load_workbook(io.BytesIO(template(focal)))["Phieu tu danh gia"]
    cells = {(r[0].value, r[2].value or ""): r[7] for r in sheet.iter_rows(min_row=2)}
    assert cells[("2.2", "numerator")].value == 1000
    assert cells[("2.2", "numerator")].number_format == "#,##0"
    assert cells[("4.1", "")].value == 12.5
    bounds = {(r[0].value, r[2].value or ""): r[6].value for r in sheet.iter_rows(min_row=2)}
    assert bounds[("4.1", "")] == "[0; 100]"
    # Uploaded back unchanged, it changes nothing.
    out = io.BytesIO()
    sheet.parent.save(out)
    assert 'id="excel-nothing"' in upload(focal, UNIT, out.getvalue()).content.decode()
