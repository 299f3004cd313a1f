"""Formula injection, export by export: a unit's name, a note or a decision number that starts
like a formula reaches every CSV and XLSX OpenDTI writes as text, while numbers stay numbers."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from opendti.accounts.models import User
from opendti.assessments.access import access_submission
from opendti.assessments.models import Answer, Change
from opendti.assessments.services import answer_get, answer_save
from opendti.frameworks.exchange import framework_export
from opendti.frameworks.models import Node
from opendti.periods.models import Period
from opendti.periods.workflow import period_advance
from opendti.publication import open_data
from opendti.publication.selectors import final_scores
from opendti.publication.services import approve, publish
from opendti.reports.xlsx import results_xlsx
from opendti.results.demo import OPEN_PERIOD, demo_load
from opendti.results.exchange import period_export_workbook, period_import_workbook
from opendti.units.models import Unit
from opendti.workbook import parse_workbook, read_workbook
from opendti.workbook.cli import score_main
from tests.login import login

pytestmark = pytest.mark.django_db

NAME = '=HYPERLINK("http://ke-gian.example/","Bấm vào đây")'
NOTE = '=HYPERLINK("http://ke-gian.example/","Xem minh chứng")'
PERIOD = "2025-communes"
UNIT = "xa-hoa-binh"


@pytest.fixture
def hostile(db) -> Period:
    """The demo, with a unit whose name starts like a formula."""
    demo_load()
    Unit.objects.filter(code=UNIT).update(name=NAME)
    return Period.objects.get(code=PERIOD)


def _published(period: Period, decision_number: str = "=1+1") -> Period:
    coordinator, approver = (User.objects.get(username=u) for u in ("dieuphoi", "pheduyet"))
    for step in (Period.Status.APPRAISAL, Period.Status.REPLY, Period.Status.APPROVAL):
        period_advance(period=period, to=step, actor=coordinator, reason="kiểm thử")
    approve(
        period=period,
        actor=approver,
        decision_number=decision_number,
        decision_date=datetime.date(2026, 3, 2),
        signer="@Chủ tịch",
    )
    publish(period=period, actor=coordinator)
    period.refresh_from_db()
    return period


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_open_data_csv(hostile) -> None:
    period = _published(hostile)
    response = Client().get(f"/du-lieu-mo/{period.code}.csv")
    rows = {r["unit_code"]: r for r in _csv(response.content.decode())}
    assert rows[UNIT]["unit_name"] == "'" + NAME
    # Numbers are untouched: still decimal text that a spreadsheet sums.
    for row in rows.values():
        assert Decimal(row["total"]) >= 0 and Decimal(row["percent"]) >= 0


def test_open_data_json_keeps_the_exact_name(hostile) -> None:
    # JSON is data for programs, not a spreadsheet: the text is kept exactly, as a string.
    period = _published(hostile)
    document = json.loads(Client().get(f"/du-lieu-mo/{period.code}.json").content)
    names = {u["code"]: u["name"] for u in document["units"]}
    assert names[UNIT] == NAME
    assert open_data.json_document  # the same builder the page serves


def test_results_xlsx(hostile) -> None:
    period = _published(hostile)
    scores, snapshot = final_scores(period)
    book = load_workbook(io.BytesIO(results_xlsx(scores, period=period, snapshot=snapshot)))
    texts = {}
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts[cell.value] = cell
    assert texts[NAME].data_type == "s" and texts["=1+1"].data_type == "s"
    assert texts["@Chủ tịch"].quotePrefix
    ranking = book["Xếp hạng"]
    header = [c.value for c in ranking[1]]
    totals = [line[header.index("Tổng điểm")].value for line in ranking.iter_rows(min_row=2)]
    assert all(isinstance(t, int | float) for t in totals if t is not None)


def _template(client: Client) -> bytes:
    response = client.get(f"/ky/{OPEN_PERIOD}/don-vi/{UNIT}/mau-excel/")
    assert response.status_code == 200
    return response.content


def _upload(client: Client, content: bytes):
    return client.post(
        f"/ky/{OPEN_PERIOD}/don-vi/{UNIT}/tai-len-excel/",
        {"file": SimpleUploadedFile("phieu.xlsx", content)},
    )


def test_the_units_excel_template_keeps_a_note_as_text_through_a_round_trip(hostile) -> None:
    focal = User.objects.get(username="daumoi")
    submission = access_submission(focal, OPEN_PERIOD, UNIT)
    node = Node.objects.get(framework=submission.participation.period.framework, code="1.2")
    answer_save(submission=submission, node=node, raw={"": "3"}, version=0, actor=focal, note=NOTE)
    client = Client()
    login(client, focal)
    content = _template(client)
    sheet = load_workbook(io.BytesIO(content))["Phieu tu danh gia"]
    notes = [row[9] for row in sheet.iter_rows(min_row=2) if row[0].value == "1.2" and row[9].value]
    assert [(c.value, c.data_type) for c in notes] == [(NOTE, "s")]
    # Uploaded back unchanged, the note is not cleared: nothing would change.
    changes_before = Change.objects.count()
    preview = _upload(client, content)
    assert preview.status_code == 200, preview.content.decode()
    assert 'id="excel-nothing"' in preview.content.decode()
    assert Answer.objects.get(submission=submission, node=node).note == NOTE
    assert Change.objects.count() == changes_before
    assert answer_get(submission=submission, node=node).note == NOTE


def test_a_formula_typed_into_the_template_is_refused_not_read_as_empty(hostile) -> None:
    focal = User.objects.get(username="daumoi")
    client = Client()
    login(client, focal)
    book = load_workbook(io.BytesIO(_template(client)))
    sheet = book["Phieu tu danh gia"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "1.2")
    row[9].value = "=1+1"  # a formula, as typed in Excel
    out = io.BytesIO()
    book.save(out)
    response = _upload(client, out.getvalue())
    assert response.status_code == 422
    assert f"Dòng {row[0].row}, cột J: ô chứa công thức Excel" in response.content.decode()


def test_framework_export(hostile, tmp_path: Path) -> None:
    framework = hostile.framework
    Node.objects.filter(framework=framework, code="1.1").update(name="@SUM(1+1)")
    framework_export(framework=framework, path=tmp_path / "bo-chi-so.xlsx")
    sheet = load_workbook(tmp_path / "bo-chi-so.xlsx")["framework"]
    header = [c.value for c in sheet[1]]
    cells = {line[0].value: line for line in sheet.iter_rows(min_row=2)}
    name = cells["1.1"][header.index("name")]
    assert (name.value, name.data_type) == ("@SUM(1+1)", "s")
    assert name.quotePrefix  # still text when someone edits the cell in Excel
    points = cells["1.1"][header.index("max_points")]
    assert points.data_type == "n"


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_workbook_export_round_trips_the_exact_text(hostile, tmp_path: Path, suffix) -> None:
    target = tmp_path / f"xuat{suffix}"
    period_export_workbook(period=hostile, path=target)
    if not suffix:
        units = _csv((target / "units.csv").read_text(encoding="utf-8"))
        assert {u["code"]: u["name"] for u in units}[UNIT] == "'" + NAME
    else:
        sheet = load_workbook(target)["units"]
        assert all(c.data_type != "f" for line in sheet.iter_rows() for c in line)
    # Read back (as `opendti import-workbook` does), the name is the name, not the protection.
    parsed = parse_workbook(read_workbook(target))
    assert {u.code: u.name for u in parsed.assessment.units}[UNIT] == NAME
    copy = period_import_workbook(path=target, code="ban-sao")
    assert copy.participations.get(unit__code__startswith=UNIT).unit.name == NAME


def test_the_score_commands_csv(hostile, tmp_path: Path, capsys) -> None:
    target = tmp_path / "xuat"
    period_export_workbook(period=hostile, path=target)
    assert score_main([str(target), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert any(cell == "'" + NAME for row in rows for cell in row)
    assert not any(cell == NAME for row in rows for cell in row)
