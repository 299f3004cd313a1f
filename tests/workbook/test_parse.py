"""Reading and checking workbooks: errors name sheet, row and column; CSV and XLSX agree."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from opendti.scoring import score_period
from opendti.workbook import WorkbookError, parse_workbook, read_workbook, write_workbook
from opendti.workbook.parse import ParsedWorkbook, parse_number

from .tiny import TINY_RESULTS, Sheets, set_cell, tiny_sheets, write_sheets

WORKBOOKS = Path(__file__).resolve().parents[2] / "src" / "opendti" / "demo" / "workbooks"

DEMOS = ("daknong-2023-departments", "daknong-2023-districts", "national-2022-provinces")


def parse(folder: Path) -> ParsedWorkbook:
    return parse_workbook(read_workbook(folder))


def errors_of(tmp_path: Path, sheets: Sheets) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        parse(write_sheets(tmp_path / "book", sheets))
    return [str(error) for error in caught.value.errors]


def test_the_tiny_workbook_parses_and_scores(tmp_path: Path) -> None:
    parsed = parse(write_sheets(tmp_path / "book", tiny_sheets()))
    a = parsed.assessment
    assert [n.code for n in a.framework.nodes] == ["A", "A1", "A2", "A3", "B"]
    assert a.framework.nodes[4].pillars == ("p1", "p2")
    assert [u.ranked for u in a.units] == [True, True, False]
    assert a.values["B"]["u1"] == {"": Decimal("12.5")}  # '12,5'
    assert a.values["A2"]["u3"] == {"": True}  # 'có'
    assert a.given_scores == {"TOTAL": {"u1": Decimal(40)}}
    assert a.settings.total_max == Decimal(50)
    result = score_period(a)
    assert {
        u.code: (str(u.total), str(u.percent), u.band, u.rank) for u in result.units
    } == TINY_RESULTS
    assert result.findings == ()


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "expected"),
    [
        (
            "framework",
            3,
            "max_points",
            "ten",
            "framework, row 3, column E 'max_points': 'ten' is not a number",
        ),
        (
            "framework",
            4,
            "params",
            '{"yes": 5',
            "framework, row 4, column I 'params': not valid JSON",
        ),
        (
            "framework",
            4,
            "params",
            "[1, 2]",
            "framework, row 4, column I 'params': params must be a JSON",
        ),
        (
            "framework",
            3,
            "rule",
            "magic",
            "framework, row 3, column H 'rule': unknown rule 'magic'",
        ),
        (
            "framework",
            4,
            "params",
            '{"yes": 11}',
            "framework, row 4, column I 'params': param 'yes' = 11 is outside [0, 10]",
        ),
        (
            "framework",
            2,
            "max_points",
            "31",
            "framework, row 2, column E 'max_points': max points 31 differ from its scored "
            "children's 30",
        ),
        ("framework", 3, "parent", "Z", "framework, row 3, column B 'parent': parent 'Z'"),
        (
            "framework",
            2,
            "pillars",
            "p9",
            "framework, row 2, column F 'pillars': 'p9' is not a code",
        ),
        (
            "framework",
            2,
            "scored",
            "maybe",
            "framework, row 2, column G 'scored': 'maybe' is not yes or no",
        ),
        (
            "values",
            2,
            "unit",
            "u9",
            "values, row 2, column A 'unit': 'u9' is not a unit on the units sheet",
        ),
        ("values", 2, "indicator", "A", "values, row 2, column B 'indicator': 'A' has no rule"),
        ("values", 2, "indicator", "Q", "values, row 2, column B 'indicator': 'Q' is not a node"),
        (
            "values",
            2,
            "input",
            "top",
            "values, row 2, column C 'input': rule 'ratio' of A1 has no input 'top'",
        ),
        (
            "values",
            4,
            "value",
            "perhaps",
            "values, row 4, column D 'value': 'perhaps' is not yes or no",
        ),
        ("values", 5, "value", "9O", "values, row 5, column D 'value': '9O' is not a number"),
        ("scores", 2, "unit", "u9", "scores, row 2, column A 'unit': 'u9' is not a unit"),
        (
            "scores",
            2,
            "node",
            "X",
            "scores, row 2, column B 'node': 'X' is neither a node, a pillar nor TOTAL",
        ),
        ("scores", 2, "score", "forty", "scores, row 2, column C 'score': 'forty' is not a number"),
        (
            "units",
            3,
            "ranked",
            "later",
            "units, row 3, column D 'ranked': 'later' is not yes or no",
        ),
        ("units", 3, "code", "u1", "units, row 3, column A 'code': unit 'u1' is listed twice"),
        (
            "bands",
            3,
            "basis",
            "grade",
            "bands, row 3, column C 'basis': basis must be 'percent' or 'points'",
        ),
        (
            "bands",
            3,
            "lower",
            "80",
            "bands, row 3, column D 'lower': bands go from the highest to the lowest",
        ),
        (
            "settings",
            2,
            "key",
            "colour",
            "settings, row 2, column A 'key': unknown setting 'colour'",
        ),
        (
            "settings",
            5,
            "value",
            "nine",
            "settings, row 5, column B 'value': decimals must be a whole number",
        ),
    ],
)
def test_errors_name_sheet_row_and_column(
    tmp_path: Path, sheet: str, row: int, column: str, value: str, expected: str
) -> None:
    messages = errors_of(tmp_path, set_cell(tiny_sheets(), sheet, row, column, value))
    assert any(m.startswith(expected) for m in messages), messages


def test_an_error_is_structured(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError) as caught:
        parse(
            write_sheets(tmp_path / "b", set_cell(tiny_sheets(), "framework", 3, "max_points", "x"))
        )
    error = caught.value.errors[0]
    assert (error.sheet, error.row, error.column, error.letter) == (
        "framework",
        3,
        "max_points",
        "E",
    )
    assert "framework" in str(error) and "row 3" in str(error) and "'max_points'" in str(error)


def test_all_errors_are_reported_together(tmp_path: Path) -> None:
    sheets = set_cell(tiny_sheets(), "framework", 3, "max_points", "x")
    set_cell(sheets, "values", 7, "unit", "nobody")
    set_cell(sheets, "scores", 2, "score", "?")
    messages = errors_of(tmp_path, sheets)
    assert any(m.startswith("framework, row 3") for m in messages)
    assert any(m.startswith("values, row 7, column A 'unit'") for m in messages)
    assert any(m.startswith("scores, row 2, column C 'score'") for m in messages)


@pytest.mark.parametrize(
    ("above", "below"),
    [("yes", "yes"), ("no", "no"), ("yes", "no")],
)
def test_an_equal_band_bound_is_refused_on_the_bands_sheet(
    tmp_path: Path, above: str, below: str
) -> None:
    sheets = set_cell(tiny_sheets(), "bands", 3, "lower", "75")
    set_cell(sheets, "bands", 2, "lower_inclusive", above)
    set_cell(sheets, "bands", 3, "lower_inclusive", below)
    assert errors_of(tmp_path, sheets) == [
        "bands, row 3, column D 'lower': bands go from the highest to the lowest"
    ]


def test_an_equal_band_bound_below_an_exclusive_one_is_accepted(tmp_path: Path) -> None:
    sheets = set_cell(tiny_sheets(), "bands", 3, "lower", "80")
    set_cell(sheets, "bands", 2, "lower", "80")
    set_cell(sheets, "bands", 2, "lower_inclusive", "no")
    result = score_period(parse(write_sheets(tmp_path / "b", sheets)).assessment)
    assert result.unit("u1").percent == Decimal("80.00")
    assert result.unit("u1").band == "Khá"  # exactly 80: not above the exclusive bound


def test_total_max_is_checked_against_the_framework(tmp_path: Path) -> None:
    messages = errors_of(tmp_path, set_cell(tiny_sheets(), "settings", 4, "value", "60"))
    assert messages == [
        "settings, column 'value': total_max is 60 but the framework's scored roots sum to 50"
    ]


@pytest.mark.parametrize("sheet", ["settings", "framework", "units"])
def test_a_missing_required_sheet(tmp_path: Path, sheet: str) -> None:
    sheets = tiny_sheets()
    del sheets[sheet]
    assert errors_of(tmp_path, sheets) == [f"{sheet}: the sheet is missing"]


@pytest.mark.parametrize(
    ("sheet", "column"),
    [("framework", "kind"), ("framework", "params"), ("units", "group"), ("values", "input")],
)
def test_a_missing_required_column(tmp_path: Path, sheet: str, column: str) -> None:
    sheets = tiny_sheets()
    position = sheets[sheet][0].index(column)
    sheets[sheet] = [row[:position] + row[position + 1 :] for row in sheets[sheet]]
    assert errors_of(tmp_path, sheets) == [
        f"{sheet}, row 1, column '{column}': this required column is missing"
    ]


def test_optional_sheets_may_be_left_out(tmp_path: Path) -> None:
    sheets = tiny_sheets()
    for name in ("bands", "scores"):
        del sheets[name]
    result = score_period(parse(write_sheets(tmp_path / "b", sheets)).assessment)
    assert result.unit("u1").band is None
    assert result.unit("u1").total == Decimal(40)


def test_headers_are_case_and_space_insensitive_and_blank_rows_skipped(tmp_path: Path) -> None:
    sheets = tiny_sheets()
    sheets["units"][0] = [" Code", "NAME ", "Group", "ranked"]
    sheets["units"].insert(2, ["", "", "", ""])
    parsed = parse(write_sheets(tmp_path / "b", sheets))
    assert [u.code for u in parsed.assessment.units] == ["u1", "u2", "u3"]
    # a blank row still counts in the row numbers a person sees
    set_cell(sheets, "units", 5, "ranked", "?")
    assert errors_of(tmp_path, sheets)[0].startswith("units, row 5, column D 'ranked'")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("860,69", "860.69"),
        ("860.69", "860.69"),
        (" 1 000,5 ", "1000.5"),
        ("\u00a0316,39", "316.39"),
        ("-0,5", "-0.5"),
        ("100.0000", "100.0000"),
    ],
)
def test_numbers_accept_a_comma_decimal_separator(text: str, expected: str) -> None:
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1,000.5", "1,2,3", "abc", "", "NaN", "Infinity"])
def test_numbers_refuse_what_is_not_one_number(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


def test_comma_decimals_in_the_scores_sheet(tmp_path: Path) -> None:
    sheets = tiny_sheets()
    sheets["framework"] = [
        sheets["framework"][0],
        ["T", "", "Tổng", "main", "1000", "", "yes", "", ""],
    ]
    sheets["values"] = sheets["values"][:1]
    sheets["scores"] = [["unit", "node", "score"]] + [
        [u, "T", "860,69"] for u in ("u1", "u2", "u3")
    ]
    sheets["settings"] = sheets["settings"][:2]
    result = score_period(parse(write_sheets(tmp_path / "b", sheets)).assessment)
    assert result.unit("u1").total == Decimal("860.69")
    assert str(result.unit("u1").total) == "860.69"


# --- XLSX round trip -----------------------------------------------------------------------------


def _rows_as_numbers(rows: list[dict[str, str]]) -> list[dict[str, object]]:
    """Cells that read as plain numbers go to Excel as numbers, as a person's workbook would."""
    converted: list[dict[str, object]] = []
    for row in rows:
        out: dict[str, object] = {}
        for column, text in row.items():
            try:
                out[column] = Decimal(text) if text and column not in ("code", "unit") else text
            except ArithmeticError:
                out[column] = text
        converted.append(out)
    return converted


@pytest.mark.parametrize("name", DEMOS)
@pytest.mark.parametrize("as_numbers", [False, True])
def test_xlsx_round_trip_gives_the_same_assessment(
    workbooks: Path, tmp_path: Path, name: str, as_numbers: bool
) -> None:
    raw = read_workbook(workbooks / name)
    book = tmp_path / f"{name}.xlsx"
    write_workbook(
        {
            sheet: _rows_as_numbers(data.rows) if as_numbers else list(data.rows)
            for sheet, data in raw.items()
        },
        book,
    )
    original, again = parse_workbook(raw).assessment, parse(book).assessment
    assert again == original
    assert score_period(again) == score_period(original)


def test_xlsx_round_trip_of_the_tiny_workbook(tmp_path: Path) -> None:
    raw = read_workbook(write_sheets(tmp_path / "b", tiny_sheets()))
    write_workbook(
        {sheet: _rows_as_numbers(data.rows) for sheet, data in raw.items()}, tmp_path / "t.xlsx"
    )
    assert parse(tmp_path / "t.xlsx").assessment == parse_workbook(raw).assessment


def test_csv_folder_round_trip(workbooks: Path, tmp_path: Path) -> None:
    raw = read_workbook(workbooks / "daknong-2023-districts")
    write_workbook({sheet: list(data.rows) for sheet, data in raw.items()}, tmp_path / "copy")
    assert parse(tmp_path / "copy").assessment == parse_workbook(raw).assessment


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.xlsx", "no such file or folder"),
        ("one.csv", "give the folder that holds the CSV sheets"),
        ("broken.xlsx", "not a readable XLSX file"),
    ],
)
def test_unreadable_workbooks(tmp_path: Path, name: str, message: str) -> None:
    if name != "missing.xlsx":
        (tmp_path / name).write_text("not a workbook", encoding="utf-8")
    with pytest.raises(WorkbookError, match=message):
        read_workbook(tmp_path / name)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("evidence_required", "maybe", "'maybe' is not yes or no"),
        ("source", "guess", "source must be one of auto, reviewer, self"),
    ],
)
def test_optional_framework_columns_are_checked(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    folder = tmp_path / "wb"
    shutil.copytree(WORKBOOKS / "synthetic-2025-communes", folder)
    path = folder / "framework.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[4][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    with pytest.raises(WorkbookError) as error:
        parse_workbook(read_workbook(folder))
    assert [str(e) for e in error.value.errors] == [
        f"framework, row 5, column {chr(ord('A') + rows[0].index(column))} '{column}': {message}"
    ]
