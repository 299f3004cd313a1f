"""Vietnamese numbers in a real browser: typed in the workspace, and typed into the Excel
template downloaded from it and uploaded back. `1.000` in a count is a thousand, `12,5` twelve
and a half, `1.234,5` one thousand two hundred thirty-four and a half; `1.234` in a decimal input
is refused with both readings. The stored values and the scores the pages show are read back."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from opendti.assessments.models import InputValue
from opendti.frameworks.models import Node
from opendti.periods.models import Period
from tests.results.fresh import period_score

from .conftest import PERIOD, UNIT, WORKSPACE, login, shot
from .test_self_assessment import FOCAL_POINT, field, indicator, pk_of, save


def stored(code: str) -> dict[str, str]:
    return dict(
        InputValue.objects.filter(
            node__code=code,
            submission__participation__period__code=PERIOD,
            submission__participation__unit__code=UNIT,
        ).values_list("input_name", "value")
    )


def engine_score(code: str) -> Decimal:
    """The indicator's score as the engine computes it from the stored values."""
    _assessment, result = period_score(period=Period.objects.get(code=PERIOD))
    score = result.unit(UNIT).nodes[code]
    assert score is not None
    return score


def two_thirds(code: str) -> Decimal:
    maximum = Node.objects.get(framework__periods__code=PERIOD, code=code).max_points
    return (maximum * 1000 / 1500).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def shown(page: Page, code: str) -> str:
    """The score the indicator's card shows (before " / max")."""
    return page.locator(f"#score-{pk_of(page, code)}").inner_text().split(" / ", 1)[0].strip()


def vietnamese(value: Decimal) -> str:
    whole, _, part = f"{value:f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return grouped + ("," + part if part else "")


def test_vietnamese_numbers_typed_in_the_workspace(page: Page) -> None:
    login(page, FOCAL_POINT, then=WORKSPACE)

    # A count: 1.000 of 1.500 tasks is two thirds of the indicator, not 0,05 points.
    field(page, "2.2", "numerator").fill("1.000")
    field(page, "2.2", "denominator").fill("1.500")
    save(page, "2.2")
    assert stored("2.2") == {"numerator": "1000", "denominator": "1500"}
    assert engine_score("2.2") == two_thirds("2.2")
    expect(page.locator(f"#score-{pk_of(page, '2.2')}")).to_contain_text(
        vietnamese(two_thirds("2.2"))
    )

    # A percentage with a decimal comma.
    field(page, "4.1", "").fill("12,5")
    save(page, "4.1")
    assert stored("4.1") == {"": "12.5"}
    assert shown(page, "4.1") == vietnamese(engine_score("4.1"))

    # A decimal input read with its thousands and its comma.
    field(page, "1.2", "").fill("1.234,5")
    save(page, "1.2")
    assert stored("1.2") == {"": "1234.5"}
    assert shown(page, "1.2") == vietnamese(engine_score("1.2"))

    # After a reload the boxes show the numbers as they were typed.
    page.reload()
    expect(field(page, "2.2", "numerator")).to_have_value("1.000")
    expect(field(page, "2.2", "denominator")).to_have_value("1.500")
    expect(field(page, "4.1", "")).to_have_value("12,5")
    expect(field(page, "1.2", "")).to_have_value("1.234,5")

    # 1.234 in a decimal input could be either: the preview says so while typing, the save
    # refuses it, and nothing changes.
    field(page, "1.2", "").fill("1.234")
    card = indicator(page, "1.2")
    expect(card.locator(".preview-errors")).to_contain_text("có hai cách hiểu: 1234 hoặc 1,234")
    card.get_by_role("button", name="Lưu", exact=True).click()
    expect(card.locator(".form-errors")).to_contain_text("có hai cách hiểu: 1234 hoặc 1,234")
    expect(card.locator('[name="v-1.2-"]')).to_have_attribute("aria-invalid", "true")
    assert stored("1.2") == {"": "1234.5"}
    shot(page, "20-numbers-workspace")


def test_vietnamese_numbers_typed_in_the_excel_template(page: Page, tmp_path: Path) -> None:
    login(page, FOCAL_POINT, then=WORKSPACE)
    page.locator("#excel summary").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải mẫu Excel của phiếu").click()
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    sheet = book["Phieu tu danh gia"]
    cells = {(r[0].value, r[2].value or ""): r[7] for r in sheet.iter_rows(min_row=2)}
    # As a person types them into the template: text in Vietnamese notation, or a number the
    # spreadsheet holds natively.
    cells[("2.2", "numerator")].value = "1.000"
    cells[("2.2", "denominator")].value = 1500
    cells[("4.1", "")].value = "12,5"
    cells[("1.2", "")].value = "1.234,5"
    filled = tmp_path / "phieu.xlsx"
    book.save(filled)

    page.locator("#excel input[name=file]").set_input_files(str(filled))
    page.get_by_role("button", name="Tải lên và xem thay đổi").click()
    changes = page.locator("#excel-changes")
    expect(changes.locator("tr[data-node='2.2'] td.after")).to_contain_text(": 1.000")
    expect(changes.locator("tr[data-node='2.2'] td.after")).to_contain_text(": 1.500")
    expect(changes.locator("tr[data-node='4.1'] td.after")).to_contain_text("12,5")
    expect(changes.locator("tr[data-node='1.2'] td.after")).to_contain_text("1.234,5")
    shot(page, "21-numbers-excel-preview")
    assert stored("2.2") == {}  # nothing written before "Áp dụng"
    page.locator("#excel-apply").click()
    expect(page.locator("ul.messages li.success")).to_contain_text("Đã cập nhật 3 chỉ số")

    assert stored("2.2") == {"numerator": "1000", "denominator": "1500"}
    assert stored("4.1") == {"": "12.5"}
    assert stored("1.2") == {"": "1234.5"}
    assert engine_score("2.2") == two_thirds("2.2")
    expect(field(page, "2.2", "numerator")).to_have_value("1.000")
    expect(field(page, "4.1", "")).to_have_value("12,5")
    expect(field(page, "1.2", "")).to_have_value("1.234,5")
    for code in ("2.2", "4.1", "1.2"):
        assert shown(page, code) == vietnamese(engine_score(code))

    # The template downloaded again holds them natively; 1.234 typed as text in a decimal
    # input is refused with the row, the column and both readings, and nothing is written.
    page.locator("#excel summary").click()
    with page.expect_download() as again:
        page.get_by_role("link", name="Tải mẫu Excel của phiếu").click()
    book = load_workbook(io.BytesIO(Path(again.value.path()).read_bytes()))
    sheet = book["Phieu tu danh gia"]
    rows = {(r[0].value, r[2].value or ""): r for r in sheet.iter_rows(min_row=2)}
    assert rows[("2.2", "numerator")][7].value == 1000
    assert rows[("4.1", "")][7].value == 12.5
    rows[("1.2", "")][7].value = "1.234"
    book.save(filled)
    page.locator("#excel input[name=file]").set_input_files(str(filled))
    page.get_by_role("button", name="Tải lên và xem thay đổi").click()
    problems = page.locator("#excel-problems")
    expect(problems).to_contain_text(f"Dòng {rows[('1.2', '')][0].row}, cột H")
    expect(problems).to_contain_text("có hai cách hiểu: 1234 hoặc 1,234")
    shot(page, "22-numbers-excel-refused")
    assert stored("1.2") == {"": "1234.5"}
