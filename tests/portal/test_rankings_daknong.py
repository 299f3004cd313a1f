"""The Đắk Nông 2023 ranking pages show the numbers of the province's Bảng 1, 3, 5, 6 and 7: the
test reads the pages as a person would (the table cells) and compares them with the published
CSV. Every unit's every number, rank and band is the published one, except the two that the
province's own numbers carry (Cư Jút's total and digital-government pillar are 0.09 above the
sum of their parts; the page shows the sum and flags the published number). The average row
(Trung bình) is the half-up mean of the numbers shown; the province's average rows follow no one
rule (Bảng 1 is rounded, most of Bảng 3 and 5–7 truncated, and Bảng 3's digital-government
average 58.45 is neither of 58.44125), so there each average is within 0.01 of the published.

Each test reads the pages twice over: as the coordinator before approval (computed from the live
tables) and as the public once the demo has published the periods (read from the approved
snapshot, with the live scores of the period deleted, so nothing else can supply them)."""

from __future__ import annotations

import csv
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from opendti.assessments.models import GivenScore
from opendti.publication.demo import demo_load_all

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["coordinator", "public"])
def reader(request) -> Client:
    if request.param == "coordinator":
        return request.getfixturevalue("coordinator")
    demo_load_all()
    GivenScore.objects.filter(
        submission__participation__period__code__in=["2023-departments", "2023-districts"]
    ).delete()
    return Client()  # anonymous


class TableReader(HTMLParser):
    """The text of each cell of <table id="ranking">, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "ranking") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_rows(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    reader = TableReader()
    reader.feed(response.content.decode())
    return reader.rows[1:]  # without the header


def number(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", ".") if "," in text else text)


def published(published_dir: Path, name: str) -> list[dict[str, str]]:
    with (published_dir / "daknong-2023" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


CENT = Decimal("0.01")


def compare(page: list[list[str]], table: list[dict[str, str]], columns: list[tuple[str, int]]):
    """(unit, column, published, shown) for every unit cell that differs; average cells may
    differ by a cent (see the module's docstring) and fail the test beyond it."""
    by_name = {row[1]: row for row in page}
    differences = []
    for expected in table:
        name = expected["unit"]
        shown = by_name[name]
        if expected["rank"]:
            assert shown[0] == expected["rank"], name
        for column, index in columns:
            if not expected["rank"]:
                gap = abs(number(shown[index]) - Decimal(expected[column]))
                assert gap <= CENT, (column, shown[index], expected[column])
            elif number(shown[index]) != Decimal(expected[column]):
                differences.append((name, column, Decimal(expected[column]), number(shown[index])))
    return differences


MAINS_DEPARTMENTS = [
    "total", "nhan_thuc_so", "the_che_so", "ha_tang_so", "nhan_luc_so",
    "an_toan_thong_tin_mang", "hoat_dong_chinh_quyen_so", "hoat_dong_xa_hoi_so",
]  # fmt: skip
MAINS_DISTRICTS = [*MAINS_DEPARTMENTS[:-1], "hoat_dong_kinh_te_so", "hoat_dong_xa_hoi_so"]


def _columns(names: list[str]) -> list[tuple[str, int]]:
    # rank, name, total, percent, then the main indices in framework order
    return [("total", 2)] + [(name, 4 + i) for i, name in enumerate(names[1:])]


def test_bang_1_departments(reader, published) -> None:
    page = page_rows(reader, "/ky/2023-departments/ket-qua/")
    table = published_table(published, "table1_departments.csv")
    assert compare(page, table, _columns(MAINS_DEPARTMENTS)) == []
    bands = {row[1]: row[-1] for row in page}
    assert all(bands[r["unit"]] == r["band"] for r in table if r["unit"])


def published_table(published_dir, name):
    return published(published_dir, name)


def test_bang_3_districts(reader, published) -> None:
    page = page_rows(reader, "/ky/2023-districts/ket-qua/")
    table = published_table(published, "table3_districts.csv")
    differences = compare(page, table, _columns(MAINS_DISTRICTS))
    assert [(u, c, said - shown) for u, c, said, shown in differences] == [
        ("UBND huyện Cư Jút", "total", Decimal("0.09"))
    ]
    bands = {row[1]: row[-1] for row in page}
    assert all(bands[r["unit"]] == r["band"] for r in table if r["unit"])


@pytest.mark.parametrize(
    ("pillar", "name", "cu_jut_gap"),
    [
        ("cqs", "table5_pillar_chinh_quyen_so.csv", Decimal("0.09")),
        ("kts", "table6_pillar_kinh_te_so.csv", None),
        ("xhs", "table7_pillar_xa_hoi_so.csv", None),
    ],
)
def test_bang_5_6_7_pillars(reader, published, pillar, name, cu_jut_gap) -> None:
    page = page_rows(reader, f"/ky/2023-districts/ket-qua/?xem={pillar}")
    table = published_table(published, name)
    differences = compare(page, table, [("pillar_score", 2)])
    if cu_jut_gap is None:
        assert differences == []
    else:
        assert [(u, c, said - shown) for u, c, said, shown in differences] == [
            ("UBND huyện Cư Jút", "pillar_score", cu_jut_gap)
        ]


def test_the_published_pages_name_the_decision() -> None:
    demo_load_all()
    html = Client().get("/ky/2023-districts/ket-qua/").content.decode()
    assert "Công bố theo Quyết định số 401/QĐ-UBND ngày 05/04/2024" in html
    assert "Kết quả tạm tính" not in html
