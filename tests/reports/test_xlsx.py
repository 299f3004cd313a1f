"""The results workbook: values only, frozen headers, and the numbers of the approved results."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from opendti.periods.models import Period
from opendti.publication.demo import demo_load_all
from opendti.publication.models import Snapshot
from opendti.publication.selectors import final_scores
from opendti.reports.xlsx import results_xlsx
from tests.results.fresh import snapshot_scores

INFO = "Thông tin"


@pytest.fixture
def loaded(db) -> None:
    demo_load_all()


def _workbook(code: str, progress=None) -> Workbook:
    period = Period.objects.select_related("framework__level").get(code=code)
    scores, snapshot = final_scores(period)
    data = results_xlsx(scores, period=period, snapshot=snapshot, progress=progress)
    return load_workbook(io.BytesIO(data))


def _rows(sheet) -> tuple[list[str], list[dict[str, object]]]:
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in line), strict=True)) for line in sheet.iter_rows(2)]
    return header, rows


def _decimal(value: object, decimals: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals))


def test_values_only_and_frozen_headers(loaded):
    steps: list[tuple[int, int]] = []
    book = _workbook("2023-districts", progress=lambda d, t: steps.append((d, t)))
    assert steps and steps[-1][0] == steps[-1][1] == len(book.sheetnames)
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                assert not (isinstance(cell.value, str) and cell.value.startswith("="))
        if sheet.title != INFO:
            assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith("2"), sheet.title
            assert all(c.font.bold for c in sheet[1]), sheet.title
    assert {"Xếp hạng", "Trụ cột", "Trung bình", "Mức xếp loại", INFO} <= set(book.sheetnames)


def test_ranking_sheet_holds_the_snapshot_results(loaded):
    period = Period.objects.get(code="2023-districts")
    scores = snapshot_scores(Snapshot.objects.get(period=period))
    decimals = scores.assessment.settings.decimals
    mains = [n for n in scores.assessment.framework.nodes if n.kind == "main"]
    sheet = _workbook("2023-districts")["Xếp hạng"]
    header, rows = _rows(sheet)
    main_columns = [h for h in header if any(str(h).startswith(f"{n.code}. ") for n in mains)]
    assert len(main_columns) == len(mains)
    units = [r for r in rows if r["Mã đơn vị"]]
    assert len(units) == len(scores.result.units) == 8
    for row in units:
        unit = scores.result.unit(str(row["Mã đơn vị"]))
        assert row["Cơ quan, đơn vị"] == unit.name
        assert row["Xếp hạng"] == unit.rank
        assert row["Mức xếp loại"] == unit.band
        assert isinstance(row["Tổng điểm"], int | float)  # a number, not text
        assert _decimal(row["Tổng điểm"], decimals) == unit.total
        parts = sum(
            (_decimal(row[c], decimals) for c in main_columns if row[c] is not None), Decimal(0)
        )
        assert parts == unit.total, unit.code
    cell = sheet.cell(row=2, column=header.index("Tổng điểm") + 1)
    assert cell.number_format == "0." + "0" * decimals
    average = rows[-1]
    assert average["Cơ quan, đơn vị"] == "Trung bình"
    assert _decimal(average["Tổng điểm"], decimals) == scores.result.averages.total


def test_band_counts_and_change(loaded):
    period = Period.objects.get(code="2023-districts")
    scores = snapshot_scores(Snapshot.objects.get(period=period))
    book = _workbook("2023-districts")
    _, bands = _rows(book["Mức xếp loại"])
    counted = {r["Mức xếp loại"]: r["Tổng điểm"] for r in bands}
    assert {k: v for k, v in counted.items() if v} == {
        k: v for k, v in scores.result.band_counts.items() if v
    }
    assert sum(counted.values()) == len([u for u in scores.result.units if u.ranked and u.band])
    if scores.change is not None:
        _, changes = _rows(book["Biến động"])
        decimals = scores.assessment.settings.decimals
        for c in scores.change.units:
            row = next(r for r in changes if r["Mã đơn vị"] == c.unit)
            if c.change is not None:
                assert _decimal(row["Biến động"], decimals) == c.change


def test_info_sheet_names_the_decision_and_hashes(loaded):
    snapshot = Snapshot.objects.get(period__code="2023-districts")
    values = [
        c for line in _workbook("2023-districts")[INFO].iter_rows(values_only=True) for c in line
    ]
    assert "401/QĐ-UBND" in values
    assert "05/04/2024" in values
    assert snapshot.signer in values
    assert snapshot.rows_sha256 in values and snapshot.document_sha256 in values
    assert "Kết quả đã phê duyệt" in values


def test_provisional_results_are_marked_as_a_draft(loaded):
    book = _workbook("2025-communes")  # in appraisal: no snapshot yet
    values = [str(c) for line in book[INFO].iter_rows(values_only=True) for c in line]
    assert any("DỰ THẢO" in v for v in values)
    assert not any("QĐ-UBND" in v for v in values)
    _, rows = _rows(book["Xếp hạng"])
    assert (
        len([r for r in rows if r["Mã đơn vị"]])
        == Period.objects.get(code="2025-communes").participations.count()
    )


def test_a_quarters_information_sheet_says_it_was_published_without_a_decision(loaded):
    book = _workbook("2025-q2-communes")
    info = {line[0]: line[1] for line in book[INFO].iter_rows(values_only=True)}
    assert info["Quyết định"] == "Kết quả quý: công bố không cần quyết định phê duyệt"
    assert "Số quyết định" not in info and "Chốt và công bố lúc" in info
    snapshot = Snapshot.objects.get(period__code="2025-q2-communes")
    assert info["Mã băm SHA-256 của kết quả"] == snapshot.document_sha256
