"""`opendti score WORKBOOK --format json|csv|xlsx [--output FILE]` without a database."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from opendti.cli import main
from opendti.workbook.cli import score_main

from .tiny import TINY_RESULTS, set_cell, tiny_sheets, write_sheets

ROOT = Path(__file__).resolve().parents[2]
UNIT_KEYS = {
    "code",
    "name",
    "group",
    "total",
    "percent",
    "band",
    "rank",
    "group_rank",
    "nodes",
    "pillars",
}
PILLAR_KEYS = {"score", "percent", "band", "rank"}
FINDING_KEYS = {"unit", "node", "expected", "found", "difference"}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = score_main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_keys_of_the_contract(
    workbooks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.json"
    code, out, err = run(
        [str(workbooks / "daknong-2023-districts"), "--format", "json", "--output", str(target)],
        capsys,
    )
    assert code == 0 and out == ""
    assert "2 finding(s)" in err
    document = json.loads(target.read_text(encoding="utf-8"))
    assert {"units", "averages", "band_counts", "findings"} <= document.keys()
    assert len(document["units"]) == 8
    for unit in document["units"]:
        assert unit.keys() >= UNIT_KEYS
        assert set(unit["pillars"]) == {"cqs", "kts", "xhs"}
        for pillar in unit["pillars"].values():
            assert pillar.keys() >= PILLAR_KEYS
    first = document["units"][0]
    assert (first["code"], first["name"], first["group"]) == ("dak-song", "UBND huyện Đắk Song", "")
    assert (first["total"], first["percent"], first["band"], first["rank"]) == (
        "685.21",
        "68.52",
        "Khá",
        1,
    )
    assert first["group_rank"] == 1
    assert first["nodes"]["hoat_dong_kinh_te_so"] == "103.70"
    assert first["pillars"]["cqs"] == {**first["pillars"]["cqs"], "score": "471.64", "rank": 1}
    assert {"total", "nodes", "pillars"} <= document["averages"].keys()
    assert document["averages"]["pillars"]["cqs"] == "407.82"
    assert document["band_counts"] == {"Tốt": 0, "Khá": 3, "TB": 3, "Yếu": 2}
    assert [(f["unit"], f["node"], f["difference"]) for f in document["findings"]] == [
        ("cu-jut", "cqs", "+0.09"),
        ("cu-jut", "TOTAL", "+0.09"),
    ]
    for finding in document["findings"]:
        assert finding.keys() >= FINDING_KEYS


def test_json_to_standard_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_sheets(tmp_path / "book", tiny_sheets())
    code, out, err = run([str(folder), "--format", "json"], capsys)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert {
        u["code"]: (u["total"], u["percent"], u["band"], u["rank"]) for u in document["units"]
    } == TINY_RESULTS
    assert document["findings"] == []
    assert document["units"][2]["group_rank"] is None


def test_csv_results_table(workbooks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(workbooks / "daknong-2023-departments"), "--format", "csv"], capsys)
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == 20  # 19 departments and the average
    top = table[0]
    assert (top["rank"], top["code"], top["total"], top["band"]) == (
        "1",
        "thong-tin-va-truyen-thong",
        "860.69",
        "Tốt",
    )
    assert top["an_toan_thong_tin_mang"] == "145.88"
    assert [int(row["rank"]) for row in table[:-1]] == list(range(1, 20))
    assert table[-1]["name"] == "Trung bình"
    assert abs(Decimal(table[-1]["total"]) - Decimal("738.08")) <= Decimal("0.01")


def test_xlsx_output_holds_numbers(
    workbooks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "scores.xlsx"
    code, _, _ = run(
        [str(workbooks / "daknong-2023-districts"), "--format", "xlsx", "--output", str(target)],
        capsys,
    )
    assert code == 0
    book = load_workbook(target, read_only=True)
    try:
        assert {"results", "nodes", "band_counts", "findings"} <= set(book.sheetnames)
        rows = list(book["results"].iter_rows(values_only=True))
        header = list(rows[0])
        by_code = {row[header.index("code")]: row for row in rows[1:]}
        song = by_code["dak-song"]
        total = song[header.index("total")]
        assert isinstance(total, int | float) and not isinstance(total, bool)
        assert total == pytest.approx(685.21, abs=1e-9)
        assert song[header.index("rank")] == 1
        assert song[header.index("cqs_score")] == pytest.approx(471.64, abs=1e-9)
        assert by_code["cu-jut"][header.index("total")] == pytest.approx(387.87, abs=1e-9)
        findings = list(book["findings"].iter_rows(values_only=True))
        assert len(findings) == 3  # header and two findings
    finally:
        book.close()


def test_xlsx_needs_an_output_file(workbooks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([str(workbooks / "daknong-2023-districts"), "--format", "xlsx"], capsys)
    assert code != 0
    assert "--output" in err


def test_a_broken_workbook_exits_non_zero_and_names_the_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheets = set_cell(tiny_sheets(), "framework", 3, "max_points", "mười")
    folder = write_sheets(tmp_path / "book", sheets)
    code, out, err = run([str(folder), "--format", "json"], capsys)
    assert code != 0
    assert out == ""
    assert "framework, row 3, column E 'max_points': 'mười' is not a number" in err


def test_a_missing_sheet_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = tiny_sheets()
    del sheets["units"]
    code, _, err = run([str(write_sheets(tmp_path / "book", sheets))], capsys)
    assert code != 0
    assert "units: the sheet is missing" in err


def test_a_missing_workbook_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run([str(tmp_path / "nowhere.xlsx")], capsys)
    assert code != 0
    assert "no such file or folder" in err


def test_the_opendti_command_dispatches_score(
    workbooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", str(workbooks / "national-2022-provinces"), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [u["index"] for u in document["units"]][:2] == ["0.8002", "0.7164"]


def test_python_m_opendti_score_in_a_process(tmp_path: Path) -> None:
    sheets = set_cell(tiny_sheets(), "values", 2, "unit", "u9")
    folder = write_sheets(tmp_path / "book", sheets)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "opendti", "score", str(folder), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode != 0
    assert "values, row 2, column A 'unit': 'u9' is not a unit on the units sheet" in done.stderr
