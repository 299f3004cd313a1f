"""The demo workbooks reproduce the published Đắk Nông 2023 and national 2022 tables."""

from __future__ import annotations

import csv
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from opendti.scoring import score_period
from opendti.scoring.model import TOTAL, PeriodResult
from opendti.workbook import parse_workbook, read_workbook

AVERAGE_ROW = "Trung bình"
CENT = Decimal("0.01")
MAIN_DISTRICTS = (
    "nhan_thuc_so",
    "the_che_so",
    "ha_tang_so",
    "nhan_luc_so",
    "an_toan_thong_tin_mang",
    "hoat_dong_chinh_quyen_so",
    "hoat_dong_kinh_te_so",
    "hoat_dong_xa_hoi_so",
)
MAIN_DEPARTMENTS = tuple(c for c in MAIN_DISTRICTS if c != "hoat_dong_kinh_te_so")
PILLAR_TABLES = {
    "cqs": "table5_pillar_chinh_quyen_so.csv",
    "kts": "table6_pillar_kinh_te_so.csv",
    "xhs": "table7_pillar_xa_hoi_so.csv",
}
# The published numbers that do not add up: (unit, node) -> published minus the sum of the parts.
DISTRICT_DIFFERENCES = {("cu-jut", TOTAL): Decimal("0.09"), ("cu-jut", "cqs"): Decimal("0.09")}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def score(folder: Path) -> tuple[PeriodResult, dict[str, str]]:
    """The period's result, and each unit's code by its published name."""
    assessment = parse_workbook(read_workbook(folder)).assessment
    return score_period(assessment), {u.name: u.code for u in assessment.units}


def split(table: list[dict[str, str]]) -> tuple[list[dict[str, str]], dict[str, str]]:
    body = [r for r in table if r["unit"] != AVERAGE_ROW]
    (average,) = [r for r in table if r["unit"] == AVERAGE_ROW]
    return body, average


def published_minus_difference(unit: str, node: str, published: str) -> Decimal:
    return Decimal(published) - DISTRICT_DIFFERENCES.get((unit, node), Decimal(0))


def check_main_table(
    result: PeriodResult, codes: dict[str, str], table: list[dict[str, str]], mains: tuple[str, ...]
) -> None:
    body, average = split(table)
    assert sorted(codes[r["unit"]] for r in body) == sorted(u.code for u in result.units)
    for row in body:
        u = result.unit(codes[row["unit"]])
        assert u.total == published_minus_difference(u.code, TOTAL, row["total"]), u.code
        for main in mains:
            assert u.nodes[main] == Decimal(row[main]), (u.code, main)
        assert u.band == row["band"], u.code
        assert u.rank == int(row["rank"]), u.code
    assert result.averages.total is not None
    assert abs(result.averages.total - Decimal(average["total"])) <= CENT
    for main in mains:
        mean = result.averages.nodes[main]
        assert mean is not None and abs(mean - Decimal(average[main])) <= CENT, main


def test_departments_match_table_1(workbooks: Path, published: Path) -> None:
    result, codes = score(workbooks / "daknong-2023-departments")
    check_main_table(
        result, codes, rows(published / "daknong-2023" / "table1_departments.csv"), MAIN_DEPARTMENTS
    )
    assert len(result.units) == 19
    assert result.findings == ()
    assert result.band_counts == {"Tốt": 1, "Khá": 16, "TB": 2, "Yếu": 0}


def test_districts_match_table_3(workbooks: Path, published: Path) -> None:
    result, codes = score(workbooks / "daknong-2023-districts")
    check_main_table(
        result, codes, rows(published / "daknong-2023" / "table3_districts.csv"), MAIN_DISTRICTS
    )
    assert len(result.units) == 8
    assert result.band_counts == {"Tốt": 0, "Khá": 3, "TB": 3, "Yếu": 2}


@pytest.mark.parametrize("pillar", sorted(PILLAR_TABLES))
def test_districts_match_the_pillar_tables(workbooks: Path, published: Path, pillar: str) -> None:
    result, codes = score(workbooks / "daknong-2023-districts")
    body, average = split(rows(published / "daknong-2023" / PILLAR_TABLES[pillar]))
    assert len(body) == len(result.units)
    for row in body:
        p = result.unit(codes[row["unit"]]).pillars[pillar]
        code = codes[row["unit"]]
        assert p.score == published_minus_difference(code, pillar, row["pillar_score"]), code
        assert p.rank == int(row["rank"]), code
    mean = result.averages.pillars[pillar]
    assert mean is not None and abs(mean - Decimal(average["pillar_score"])) <= CENT


def test_districts_findings_are_exactly_the_published_numbers_that_do_not_add_up(
    workbooks: Path,
) -> None:
    result, _ = score(workbooks / "daknong-2023-districts")
    assert [
        (f.unit, f.node, f.kind, f.expected, f.found, f.difference) for f in result.findings
    ] == [
        ("cu-jut", "cqs", "pillar_sum", "316.30", "316.39", "+0.09"),
        ("cu-jut", TOTAL, "total_sum", "387.87", "387.96", "+0.09"),
    ]
    assert {
        (f.unit, f.node): Decimal(f.difference) for f in result.findings
    } == DISTRICT_DIFFERENCES


def test_national_2022_dti_index(workbooks: Path, published: Path) -> None:
    result, codes = score(workbooks / "national-2022-provinces")
    table = rows(published / "national-2022" / "top5_provinces.csv")
    assert len(table) == len(result.units) == 5
    hcm = "tp-ho-chi-minh"
    for row in table:
        u = result.unit(codes[row["province"]])
        assert u.rank == int(row["rank"]), u.code
        if u.code != hcm:
            assert u.index == Decimal(row["dti"]), u.code
        for main, points in u.nodes.items():  # each main index as a value from 0 to 1
            assert points is not None and u.node_max[main] is not None
            share = (points / u.node_max[main]).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            assert share == Decimal(row[main]), (u.code, main)
    u = result.unit(hcm)
    published_dti = next(Decimal(r["dti"]) for r in table if codes[r["province"]] == hcm)
    # The publication rounded from unrounded components: 0.7163; the exact sum of the published
    # (rounded) components is 716.355 / 1000 = 0.716355, which rounds half-up to 0.7164.
    assert published_dti == Decimal("0.7163")
    assert u.total == Decimal("716.355")
    assert u.index == Decimal("0.7164")
    assert abs(u.index - published_dti) <= Decimal("0.0001")
    assert result.findings == ()


@pytest.mark.parametrize(
    "folder",
    [
        "daknong-2023-departments",
        "daknong-2023-districts",
        "national-2022-provinces",
        "synthetic-2024-communes",
        "synthetic-2025-communes",
    ],
)
def test_no_published_band_depends_on_rounding(workbooks: Path, folder: str) -> None:
    """Issue 11 decides bands on the exact share: every demo period (Đắk Nông's published tables
    among them) keeps every band it had when bands were decided on the rounded percent."""
    assessment = parse_workbook(read_workbook(workbooks / folder)).assessment
    results = [
        score_period(replace(assessment, settings=replace(assessment.settings, band_on=band_on)))
        for band_on in ("exact", "displayed")
    ]
    exact, displayed = (
        [(u.code, u.band, tuple((p, r.band) for p, r in u.pillars.items())) for u in result.units]
        for result in results
    )
    assert exact == displayed
    assert all(u.percent_detail is None for u in results[0].units)
