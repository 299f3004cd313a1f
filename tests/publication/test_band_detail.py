"""Units on a band's bound (issue 11), through the database, the snapshot and every place a band
is printed: the ranking and scorecard pages, the approval page, the open data, the API, the results
workbook and the reports. The period is tests/publication/data/legacy_workbook imported as a new
period (band_on not given: exact):

- dv-a: 600.01 of 800 = 75.00125 % → "Dẫn dắt" (more than 75 %), shown as 75.00 → detail 75.001
- dv-b: 400 of 800 = 50 % → "Hình thành" (not more than 50 %), no detail; its pillar cqs is
  269.99 of 300 = 89.997 % → "Khá" (not 90 % or more), shown as 90.00 → detail 89.997
- dv-c: 200.03 of 800 = 25.00375 % → "Hình thành", shown as 25.00 → detail 25.004
- dv-d: pillar kts 349.99 of 500 = 69.998 % → "Trung bình", shown as 70.00 → detail 69.998
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from opendti.accounts.models import User
from opendti.periods.models import Period
from opendti.publication.models import Publication, Snapshot
from opendti.publication.snapshots import snapshot_freeze
from opendti.reports.build import report_content
from opendti.reports.docx_report import report_docx
from opendti.reports.pdf_scorecards import scorecards_pdf
from opendti.reports.xlsx import results_xlsx
from opendti.results.band_detail import note
from opendti.results.exchange import period_import_workbook
from tests.login import login
from tests.results.fresh import snapshot_scores

from ..reports.test_pdf import flat, page_texts

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
CODE = "2023-nguong"
EXPECTED = {
    "dv-a": ("Dẫn dắt", "75.00", "75.001"),
    "dv-b": ("Hình thành", "50.00", None),
    "dv-c": ("Hình thành", "25.00", "25.004"),
    "dv-d": ("Hình thành", "43.75", None),
}


def publish_on_a_bound() -> Snapshot:
    """The period imported, approved (frozen) and published, with an administrator 'quantri-nguong'."""
    period = period_import_workbook(path=DATA / "legacy_workbook", code=CODE)
    admin = User.objects.create_superuser("quantri-nguong", "quantri@example.org", "x")
    snapshot = snapshot_freeze(
        period=period,
        actor=admin,
        decision_number="12/QĐ-UBND",
        decision_date=datetime.date(2024, 3, 1),
        signer="Chủ tịch UBND tỉnh",
    )
    Period.objects.filter(pk=period.pk).update(status=Period.Status.PUBLISHED)
    Publication.objects.create(snapshot=snapshot, published_by=admin)
    snapshot.period.refresh_from_db()
    return snapshot


@pytest.fixture
def published(db) -> Snapshot:
    return publish_on_a_bound()


def test_the_snapshot_freezes_band_on_and_decides_exactly(published: Snapshot) -> None:
    rows = json.loads(published.rows)
    assert {"key": "band_on", "value": "exact"} in rows["settings"]
    units = {u["code"]: u for u in json.loads(published.document)["units"]}
    for code, (band, percent, detail) in EXPECTED.items():
        assert (units[code]["band"], units[code]["percent"]) == (band, percent), code
        assert units[code]["percent_detail"] == detail, code
    assert units["dv-b"]["pillars"]["cqs"]["band"] == "Khá"
    assert units["dv-b"]["pillars"]["cqs"]["percent_detail"] == "89.997"
    assert units["dv-d"]["pillars"]["kts"]["band"] == "Trung bình"
    out = io.StringIO()
    call_command("verify_snapshot", CODE, stdout=out)
    assert f"{CODE}: khớp" in out.getvalue()


def _cells(html: str, table: str) -> dict[str, str]:
    body = html.split(f'<table id="{table}"', 1)[1].split("</table>", 1)[0]
    found = {}
    for chunk in body.split('<tr data-unit="')[1:]:
        unit, row = chunk.split('"', 1)
        found[unit] = row.split("</tr>", 1)[0]
    return found


def test_the_public_ranking_shows_the_detail_and_the_note(published: Snapshot) -> None:
    response = Client().get(f"/ky/{CODE}/ket-qua/")
    html = response.content.decode()
    rows = _cells(html, "ranking")
    for code, (band, percent, detail) in EXPECTED.items():
        row = rows[code]
        assert f'<span class="badge">{band}</span>' in row, code
        if detail is None:
            assert f'<td class="percent">{percent.replace(".", ",")}</td>' in row, code
        else:
            shown = detail.replace(".", ",")
            assert (
                f'<span class="percent-detail" data-rounded="{percent.replace(".", ",")}">' in row
            )
            assert f">{shown}</span><sup>*</sup>" in row, code
    assert f'<p class="muted" id="percent-note">{note()}</p>' in html
    # The pillar view: dv-b's chính quyền số, 89.997 % → Khá, not the 90.00 it rounds to.
    pillar = _cells(Client().get(f"/ky/{CODE}/ket-qua/?xem=cqs").content.decode(), "ranking")
    assert ">89,997</span><sup>*</sup>" in pillar["dv-b"]
    assert '<span class="badge">Khá</span>' in pillar["dv-b"]


def test_without_a_detail_there_is_no_note(published: Snapshot) -> None:
    html = Client().get(f"/ky/{CODE}/ket-qua/?xem=m1").content.decode()  # a main index: no band
    assert 'id="percent-note"' not in html
    html = Client().get(f"/ky/{CODE}/ket-qua/don-vi/dv-b/").content.decode()
    assert 'id="percent-note"' not in html
    assert '<dd id="unit-percent">50,00</dd>' in html


def test_the_scorecard_shows_the_detail_and_the_points_to_the_next_band(
    published: Snapshot,
) -> None:
    html = Client().get(f"/ky/{CODE}/ket-qua/don-vi/dv-c/").content.decode()
    assert '<dd id="unit-band">Hình thành</dd>' in html
    assert ">25,004</span><sup>*</sup>" in html.split('id="unit-percent"', 1)[1]
    assert 'id="percent-note"' in html
    # Nâng cao is "lớn hơn 50%": 400 of 800 is not enough, 400.01 is. dv-c has 200.03.
    assert "Cần thêm 199,98 điểm để đạt mức Nâng cao (ngưỡng 400 điểm)." in html
    assert "(phải vượt ngưỡng)" in html


def test_the_approval_page_says_how_bands_are_decided(published: Snapshot) -> None:
    client = Client()
    login(client, User.objects.get(username="quantri-nguong"))
    html = client.get(f"/ky/{CODE}/phe-duyet/").content.decode()
    assert "Mức xếp loại xác định theo: điểm chính xác so với ngưỡng" in html
    row = _cells(html, "ranking")["dv-a"]
    assert ">75,001</span><sup>*</sup>" in row and "Dẫn dắt" in row
    assert note() in html


def test_the_open_data_carries_the_detail(published: Snapshot) -> None:
    client = Client()
    text = client.get(f"/du-lieu-mo/{CODE}.csv").content.decode("utf-8-sig")
    table = {row["unit_code"]: row for row in csv.DictReader(io.StringIO(text))}
    for code, (band, percent, detail) in EXPECTED.items():
        assert (table[code]["band"], table[code]["percent"]) == (band, percent)
        assert table[code]["percent_detail"] == (detail or "")
    document = client.get(f"/du-lieu-mo/{CODE}.json").json()
    assert document["period"]["band_on"] == "exact"
    units = {u["code"]: u for u in document["units"]}
    assert units["dv-a"]["percent_detail"] == "75.001"
    assert units["dv-b"]["pillars"]["cqs"]["percent_detail"] == "89.997"
    assert units["dv-b"]["pillars"]["cqs"]["band"] == "Khá"
    # The informational index m3 not given: notes, not findings.
    assert document["findings"] == []
    assert [(n["unit"], n["node"]) for n in document["notes"]] == [
        ("dv-b", "m3"),
        ("dv-c", "m3"),
        ("dv-d", "m3"),
    ]
    api = client.get(f"/api/v1/periods/{CODE}/results/").json()["results"]
    assert {u["unit"]: u["percent_detail"] for u in api} == {
        code: detail for code, (_b, _p, detail) in EXPECTED.items()
    }


def test_the_results_workbook_shows_every_decimal_of_a_detail(published: Snapshot) -> None:
    period = published.period
    data = results_xlsx(snapshot_scores(published), period=period, snapshot=published)
    book = load_workbook(io.BytesIO(data))
    ranking = book["Xếp hạng"]
    header = [c.value for c in ranking[1]]
    percent = header.index("% điểm tối đa") + 1
    by_unit = {row[1].value: row for row in ranking.iter_rows(min_row=2) if row[1].value}
    cell = by_unit["dv-a"][percent - 1]
    assert (cell.value, cell.number_format) == (75.001, "0.000")
    assert cell.comment is not None and cell.comment.text == note()
    plain = by_unit["dv-b"][percent - 1]
    assert (plain.value, plain.number_format, plain.comment) == (50, "0.00", None)
    pillars = book["Trụ cột"]
    header = [c.value for c in pillars[1]]
    cqs = header.index("Chính quyền số: % điểm tối đa")
    row = next(r for r in pillars.iter_rows(min_row=2) if r[1].value == "dv-b")
    assert (row[cqs].value, row[cqs].number_format) == (89.997, "0.000")
    assert row[cqs].comment is not None
    info = {r[0].value: r[1].value for r in book["Thông tin"].iter_rows()}
    assert info["Mức xếp loại xác định theo"] == "điểm chính xác so với ngưỡng"
    assert info["Ghi chú"] == note()


def test_the_report_marks_the_band_and_gives_the_exact_figure(published: Snapshot) -> None:
    document = Document(io.BytesIO(report_docx(report_content(published.period))))
    ranking = next(t for t in document.tables if t.rows[0].cells[0].text == "Xếp hạng")
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in ranking.rows[1:]}
    # The period shows points: no percent column, so the band is marked and the note says why.
    assert rows["UBND huyện A"][-1] == "Dẫn dắt*"
    assert rows["UBND huyện B"][-1] == "Hình thành"
    text = "\n".join(p.text for p in document.paragraphs)
    assert note() in text
    assert "UBND huyện A: 75,001 % điểm tối đa (làm tròn 75,00 %)" in text
    assert "UBND huyện C: 25,004 % điểm tối đa (làm tròn 25,00 %)" in text


def test_the_scorecards_pdf_prints_the_detail(published: Snapshot) -> None:
    pages = [flat(page) for page in page_texts(scorecards_pdf(published.period))]
    card = next(page for page in pages if "UBND huyện A" in page and "Các chỉ số chính" in page)
    assert "75,001*" in card and "0,75001*" in card
    assert flat(note()) in card
    other = next(page for page in pages if "UBND huyện B" in page and "Các chỉ số chính" in page)
    assert "50,00" in other and "*" not in other.split("Các chỉ số chính")[0]
