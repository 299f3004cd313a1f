"""People read names, never codes (issue 12, part 2): no page, file or report of the demo shows an
input's code (`numerator`, `cashless`…), a yes/no as `yes`/`no`, or a ranking group's or level's
code (`xa`, `phuong`, `communes`) as visible text. Codes stay where machines read them: the open
data's code columns, the hidden column of the Excel template, form field names and URLs."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import docx
import pytest
from django.test import Client
from openpyxl import load_workbook

from opendti.accounts.models import User
from opendti.assessments.access import access_submission
from opendti.assessments.models import Answer
from opendti.assessments.services import answer_save
from opendti.assessments.services.spreadsheet import submission_template
from opendti.frameworks.models import Node
from opendti.periods.models import Period
from opendti.publication.demo import demo_load_all
from opendti.publication.selectors import final_scores
from opendti.reports.build import report_content
from opendti.reports.docx_report import report_docx
from opendti.reports.xlsx import results_xlsx
from tests.login import login

pytestmark = pytest.mark.django_db

OPEN = "2026-communes"  # self-assessment
APPRAISAL = "2025-communes"  # in appraisal: the reviewer's page; wards and communes, mixed maxima
PUBLISHED = "2024-communes"  # published: public ranking, what-if, open data
UNIT = "xa-hoa-binh"
INPUT_CODES = ("numerator", "denominator", "approved", "systems", "cashless", "total")
GROUP_CODES = ("phuong", "xa", "communes", "districts", "departments", "province")
YES_NO = ("yes", "no")
# A code as a word of its own: not part of a longer word or of a hyphenated code (xa-hoa-binh).
CODE = re.compile(
    r"(?<![\w-])(" + "|".join(INPUT_CODES + GROUP_CODES + YES_NO) + r")(?![\w-])", re.I
)


class _Text(HTMLParser):
    """The text a person sees: text nodes outside script and style (attributes are not read)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def codes_in(text: str) -> list[str]:
    found = []
    for match in CODE.finditer(text):
        found.append(text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " "))
    return found


def page(client: Client, url: str, data: dict | None = None) -> str:
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return visible(response.content.decode())


@pytest.fixture
def demo(db) -> dict[str, User]:
    demo_load_all()
    return {u.username: u for u in User.objects.all()}


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        login(client, user)
    return client


def _fill_open_period(focal: User) -> None:
    """The focal point types the inputs with codes behind them, and a yes/no, with an estimate
    flag: the history then has values, flags and yes/no to show."""
    submission = access_submission(focal, OPEN, UNIT)
    nodes = {
        n.code: n for n in Node.objects.filter(framework=submission.participation.period.framework)
    }
    typed = {
        "1.1": ({"": "có"}, True),
        "2.2": ({"numerator": "30", "denominator": "40"}, False),
        "5.1": ({"approved": "2", "systems": "3"}, False),
        "7.2": ({"cashless": "1200", "total": "2000"}, False),
    }
    for code, (raw, estimate) in typed.items():
        for is_estimate in (estimate, False) if estimate else (False,):
            answer = Answer.objects.filter(submission=submission, node=nodes[code]).first()
            answer_save(
                submission=submission,
                node=nodes[code],
                raw=raw,
                version=answer.version if answer else 0,
                actor=focal,
                is_estimate=is_estimate,
            )


def test_pages_show_labels_and_names_never_codes(demo) -> None:
    focal, reviewer, coordinator = demo["daumoi"], demo["thamdinh"], demo["dieuphoi"]
    _fill_open_period(focal)
    unit_url = f"/ky/{OPEN}/don-vi/{UNIT}/"
    texts: dict[str, str] = {}
    as_focal = client_for(focal)
    texts["workspace"] = page(as_focal, unit_url)
    for code in ("1.1", "2.2", "5.1", "7.2"):
        texts[f"history {code}"] = page(as_focal, f"{unit_url}chi-so/{code}/lich-su/")
        texts[f"preview {code}"] = page(
            as_focal,
            f"{unit_url}chi-so/{code}/xem-truoc/",
            {"v-2.2-numerator": "50", "v-2.2-denominator": "40"} if code == "2.2" else {},
        )
    texts["reviewer"] = page(client_for(reviewer), f"/ky/{APPRAISAL}/tham-dinh/{UNIT}/")
    public = client_for(None)
    card = f"/ky/{PUBLISHED}/ket-qua/don-vi/{UNIT}/"
    texts["scorecard and what-if form"] = page(public, card)
    texts["what-if result"] = page(
        public,
        card + "mo-phong/",
        {"v-2.2-numerator": "10", "v-2.2-denominator": "40", "v-1.1-": "Không"},
    )
    texts["public ranking"] = page(public, f"/ky/{PUBLISHED}/ket-qua/")
    texts["public ranking, wards"] = page(public, f"/ky/{PUBLISHED}/ket-qua/?nhom=phuong")
    texts["coordinator ranking"] = page(client_for(coordinator), f"/ky/{APPRAISAL}/ket-qua/")
    texts["robustness"] = page(public, f"/ky/{PUBLISHED}/ket-qua/do-on-dinh/")
    texts["embed"] = page(public, f"/du-lieu-mo/{PUBLISHED}/nhung/?nhom=xa")
    texts["home"] = page(client_for(coordinator), "/")
    leaks = {name: codes_in(text) for name, text in texts.items()}
    assert {name: found for name, found in leaks.items() if found} == {}
    # And what they show instead.
    assert "Số nhiệm vụ đã hoàn thành" in texts["workspace"]
    assert "Số giao dịch không dùng tiền mặt" in texts["history 7.2"]
    assert "Có" in texts["history 1.1"] and "Số liệu ước tính" in texts["history 1.1"]
    assert "Tổng số hệ thống thông tin" in texts["reviewer"]
    assert "Số nhiệm vụ đã hoàn thành" in texts["what-if result"]
    assert "Phường" in texts["public ranking"] and "Xã" in texts["public ranking"]


def test_the_excel_template_shows_labels_and_hides_the_codes(demo) -> None:
    focal = demo["daumoi"]
    submission = access_submission(focal, OPEN, UNIT)
    book = load_workbook(io.BytesIO(submission_template(submission=submission, user=focal)))
    sheet = book.worksheets[0]
    hidden = {letter for letter, d in sheet.column_dimensions.items() if d.hidden}
    assert hidden == {"C"}  # the input's code, read back on upload
    shown = " ".join(
        str(cell.value)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None and cell.column_letter not in hidden
    )
    assert codes_in(shown) == []
    assert "Tổng số giao dịch" in shown and "Tử số" not in shown


def test_open_data_names_the_groups_beside_their_codes(demo) -> None:
    response = Client().get(f"/du-lieu-mo/{PUBLISHED}.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["ranking_group"] for r in rows} == {"xa", "phuong"}  # for machines
    assert {r["ranking_group_name"] for r in rows} == {"Xã", "Phường"}  # for people
    document = Client().get(f"/du-lieu-mo/{PUBLISHED}.json").json()
    assert document["ranking_groups"] == [
        {"code": "phuong", "name": "Phường"},
        {"code": "xa", "name": "Xã"},
    ]
    assert document["period"]["level_name"] == "Cấp xã"
    assert {u["group_name"] for u in document["units"]} == {"Xã", "Phường"}


@pytest.mark.parametrize("code", [PUBLISHED, APPRAISAL, "2023-districts", "2023-departments"])
def test_reports_and_workbooks_show_names(demo, code) -> None:
    period = Period.objects.select_related("framework__level").get(code=code)
    document = docx.Document(io.BytesIO(report_docx(report_content(period))))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert codes_in(text) == []
    scores, snapshot = final_scores(period)
    book = load_workbook(io.BytesIO(results_xlsx(scores, period=period, snapshot=snapshot)))
    cells = " ".join(
        f"{sheet.title} {cell.value}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    )
    assert codes_in(cells) == []
    assert "— districts" not in period.title and "— departments" not in period.title
