"""Workbook edges (issue 11): a parent with an empty max_points takes the sum of its scored
children; an informational value not given is a note, not a finding; the band_on setting."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from opendti.scoring import score_period
from opendti.workbook import WorkbookError, parse_workbook, read_workbook
from opendti.workbook.output import result_document, to_csv

from .tiny import TIERS, Sheets, set_cell, tiny_sheets, write_sheets

HEADER = ["code", "parent", "name", "kind", "max_points", "pillars", "scored", "rule", "params"]


def parse(tmp_path: Path, sheets: Sheets):
    return parse_workbook(read_workbook(write_sheets(tmp_path / "book", sheets)))


def errors_of(tmp_path: Path, sheets: Sheets) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        parse(tmp_path, sheets)
    return [str(error) for error in caught.value.errors]


def _grouped(group_max: str, main_a: str = "", info_max: str = "7") -> Sheets:
    """A group over two main indices (one with its own empty max) and an informational one."""
    sheets = tiny_sheets()
    sheets["framework"] = [
        HEADER,
        ["G", "", "Nhóm nền tảng", "group", group_max, "", "yes", "", ""],
        ["A", "G", "Hạ tầng", "main", main_a, "p1", "yes", "", ""],
        ["A1", "A", "Tỷ lệ", "criterion", "10", "", "yes", "ratio", ""],
        ["A2", "A", "Có/không", "criterion", "10", "", "yes", "yes_no", ""],
        ["A3", "A", "Ngưỡng", "criterion", "10", "", "yes", "tiers", TIERS],
        ["B", "G", "Thủ công", "main", "20", "p1;p2", "yes", "manual", ""],
        ["I", "G", "Tham khảo", "main", info_max, "", "no", "manual", ""],
    ]
    sheets["values"] = [row for row in sheets["values"] if row[1] != "I"]
    sheets["scores"] = [["unit", "node", "score"]]
    return sheets


def test_an_empty_max_takes_the_sum_of_the_scored_children(tmp_path: Path) -> None:
    parsed = parse(tmp_path, _grouped(group_max=""))
    maxima = {n.code: n.max_points for n in parsed.assessment.framework.nodes}
    # A (empty) is 10 + 10 + 10; G (empty) is A + B, the informational I not counted.
    assert (maxima["A"], maxima["G"], maxima["I"]) == (Decimal(30), Decimal(50), Decimal(7))
    result = score_period(parsed.assessment)
    assert {u.max_points for u in result.units} == {Decimal(50)}
    assert (
        result.unit("u1").nodes["G"] == result.unit("u1").nodes["A"] + result.unit("u1").nodes["B"]
    )


def test_a_filled_max_is_still_checked(tmp_path: Path) -> None:
    messages = errors_of(tmp_path, _grouped(group_max="60"))
    assert any(
        m.startswith("framework, row 2, column E 'max_points'") and "60" in m and "50" in m
        for m in messages
    ), messages
    # A filled max that agrees with the children passes, next to an empty one.
    assert parse(tmp_path, _grouped(group_max="50")).assessment.framework.nodes[0].max_points == 50


def test_an_empty_max_under_a_filled_parent_is_summed_before_the_check(tmp_path: Path) -> None:
    # Today's refusal ("max points 0 differ ...") no longer happens: A is 30 before G is checked.
    parsed = parse(tmp_path, _grouped(group_max="50", main_a=""))
    assert {n.code: n.max_points for n in parsed.assessment.framework.nodes}["A"] == 30


def test_an_empty_max_on_a_leaf_stays_zero(tmp_path: Path) -> None:
    sheets = _grouped(group_max="")
    set_cell(sheets, "framework", 7, "max_points", "")  # B, a manual leaf
    sheets["values"] = [row for row in sheets["values"] if row[1] != "B"]
    sheets["settings"] = [row for row in sheets["settings"] if row[0] != "total_max"]
    maxima = {n.code: n.max_points for n in parse(tmp_path, sheets).assessment.framework.nodes}
    assert (maxima["B"], maxima["G"]) == (Decimal(0), Decimal(30))


def test_a_cycle_through_empty_maxima_is_still_reported(tmp_path: Path) -> None:
    sheets = _grouped(group_max="")
    set_cell(sheets, "framework", 2, "parent", "A")  # G under A, A under G
    messages = errors_of(tmp_path, sheets)
    assert any("framework, row" in m and "cycle" in m for m in messages), messages


def test_the_framework_import_takes_the_same_rule(tmp_path: Path) -> None:
    from opendti.frameworks.exchange.check import framework_check
    from opendti.frameworks.exchange.files import read_framework_file

    document = {
        "meta": {"code": "tron", "name": "Khung có nhóm", "year": "2025", "level": "xa"},
        "pillars": [],
        "framework": [
            {"code": "G", "name": "Nhóm", "kind": "group", "max_points": None, "scored": True},
            {"code": "A", "parent": "G", "name": "A", "kind": "main", "max_points": "30"},
            {"code": "B", "parent": "G", "name": "B", "kind": "main", "max_points": "12.5"},
            {"code": "C", "parent": "G", "name": "C", "kind": "main", "max_points": "4"},
        ],
        "bands": [],
    }
    document["framework"][3]["scored"] = False
    path = tmp_path / "khung.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    checked = framework_check(read_framework_file(path))
    assert checked.parsed.assessment.framework.nodes[0].max_points == Decimal("42.5")
    document["framework"][0]["max_points"] = "40"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(WorkbookError) as caught:
        framework_check(read_framework_file(path))
    assert any(e.sheet == "framework" and e.row == 1 for e in caught.value.errors), [
        str(e) for e in caught.value.errors
    ]


def test_an_informational_value_not_given_is_a_note_not_a_finding(tmp_path: Path) -> None:
    parsed = parse(tmp_path, _grouped(group_max=""))
    result = score_period(parsed.assessment)
    assert not [f for f in result.findings if f.node == "I"]
    assert [(n.unit, n.node, n.kind) for n in result.notes] == [
        ("u1", "I", "missing"),
        ("u2", "I", "missing"),
        ("u3", "I", "missing"),
    ]
    document = result_document(parsed.assessment, result)
    assert [n["node"] for n in document["notes"]] == ["I", "I", "I"]
    assert all(f["node"] != "I" for f in document["findings"])
    # A scored value not given is still a finding.
    sheets = _grouped(group_max="")
    sheets["values"] = [row for row in sheets["values"] if not (row[0] == "u1" and row[1] == "B")]
    result = score_period(parse(tmp_path / "again", sheets).assessment)
    assert [(f.unit, f.node, f.kind) for f in result.findings] == [("u1", "B", "missing")]


@pytest.mark.parametrize(
    ("value", "expected"), [("", "exact"), ("exact", "exact"), ("displayed", "displayed")]
)
def test_band_on_is_a_setting(tmp_path: Path, value: str, expected: str) -> None:
    sheets = tiny_sheets()
    if value:
        sheets["settings"].append(["band_on", value])
    parsed = parse(tmp_path, sheets)
    assert parsed.assessment.settings.band_on == expected
    result = score_period(parsed.assessment)
    assert result_document(parsed.assessment, result)["settings"]["band_on"] == expected


def test_a_bad_band_on_names_its_cell(tmp_path: Path) -> None:
    sheets = tiny_sheets()
    sheets["settings"].append(["band_on", "rounded"])
    messages = errors_of(tmp_path, sheets)
    assert any(
        m.startswith("settings, row 6, column B 'value': band_on must be one of exact, displayed")
        for m in messages
    ), messages


def _on_the_bound(band_on: str) -> Sheets:
    """Bắc Kạn's bands; 600.01 of 800 points is 75.00125 %, shown as 75.00."""
    settings = [["key", "value"], ["title", "Ngưỡng"], ["year", "2024"]]
    if band_on:
        settings.append(["band_on", band_on])
    return {
        "settings": settings,
        "framework": [HEADER, ["M", "", "Chỉ số", "main", "800", "", "yes", "manual", ""]],
        "bands": [
            ["scheme", "label", "basis", "lower", "lower_inclusive"],
            ["total", "Dẫn dắt", "percent", "75", "no"],
            ["total", "Nâng cao", "percent", "50", "no"],
            ["total", "Khởi động", "percent", "", ""],
        ],
        "units": [["code", "name", "group"], ["u", "Đơn vị", ""]],
        "values": [["unit", "indicator", "input", "value"], ["u", "M", "", "600,01"]],
    }


@pytest.mark.parametrize(
    ("band_on", "band", "detail"),
    [("", "Dẫn dắt", "75.001"), ("exact", "Dẫn dắt", "75.001"), ("displayed", "Nâng cao", "")],
)
def test_the_band_on_setting_decides_a_unit_on_a_bound(
    tmp_path: Path, band_on: str, band: str, detail: str
) -> None:
    parsed = parse(tmp_path, _on_the_bound(band_on))
    result = score_period(parsed.assessment)
    unit = result.unit("u")
    assert (unit.percent, unit.band) == (Decimal("75.00"), band)
    header, row, _average = (
        line.split(",") for line in to_csv(parsed.assessment, result).splitlines()
    )
    assert header[5:9] == ["total", "percent", "band", "percent_detail"]
    assert row[5:9] == ["600.01", "75.00", band, detail]
    document = result_document(parsed.assessment, result)
    assert document["units"][0]["percent_detail"] == (detail or None)
