"""A tiny but complete workbook (every sheet, several rules), written as a folder of CSVs."""

from __future__ import annotations

import csv
from pathlib import Path

Sheets = dict[str, list[list[str]]]

TIERS = '{"tiers": [{"min": 90, "points": 10}, {"min": 50, "points": 5}]}'


def tiny_sheets() -> Sheets:
    return {
        "settings": [
            ["key", "value"],
            ["title", "Tiny"],
            ["year", "2024"],
            ["total_max", "50"],
            ["decimals", "2"],
        ],
        "pillars": [["code", "name"], ["p1", "Một"], ["p2", "Hai"]],
        "framework": [
            ["code", "parent", "name", "kind", "max_points", "pillars", "scored", "rule", "params"],
            ["A", "", "Hạ tầng", "main", "30", "p1", "yes", "", ""],
            ["A1", "A", "Tỷ lệ", "criterion", "10", "", "yes", "ratio", ""],
            ["A2", "A", "Có/không", "criterion", "10", "", "yes", "yes_no", ""],
            ["A3", "A", "Ngưỡng", "criterion", "10", "", "yes", "tiers", TIERS],
            ["B", "", "Thủ công", "main", "20", "p1;p2", "yes", "manual", ""],
        ],
        "bands": [
            ["scheme", "label", "basis", "lower", "lower_inclusive"],
            ["total", "Tốt", "percent", "75", "yes"],
            ["total", "Khá", "percent", "50", "yes"],
            ["total", "Yếu", "percent", "", ""],
        ],
        "units": [
            ["code", "name", "group", "ranked"],
            ["u1", "Đơn vị 1", "", "yes"],
            ["u2", "Đơn vị 2", "", ""],
            ["u3", "Đơn vị 3", "", "no"],
        ],
        "values": [
            ["unit", "indicator", "input", "value"],
            ["u1", "A1", "numerator", "3"],
            ["u1", "A1", "denominator", "4"],
            ["u1", "A2", "", "yes"],
            ["u1", "A3", "", "95"],
            ["u1", "B", "", "12,5"],
            ["u2", "A1", "numerator", "1"],
            ["u2", "A1", "denominator", "4"],
            ["u2", "A2", "", "no"],
            ["u2", "A3", "", "60"],
            ["u2", "B", "", "20"],
            ["u3", "A1", "numerator", "4"],
            ["u3", "A1", "denominator", "4"],
            ["u3", "A2", "", "có"],
            ["u3", "A3", "", "40"],
            ["u3", "B", "", "5"],
        ],
        "scores": [["unit", "node", "score"], ["u1", "TOTAL", "40"]],
    }


# What the tiny workbook scores: unit -> (total, percent, band, rank)
TINY_RESULTS = {
    "u1": ("40.00", "80.00", "Tốt", 1),
    "u2": ("27.50", "55.00", "Khá", 2),
    "u3": ("25.00", "50.00", "Khá", None),
}


def write_sheets(folder: Path, sheets: Sheets) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in sheets.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(table)
    return folder


def set_cell(sheets: Sheets, sheet: str, row: int, column: str, value: str) -> Sheets:
    """Change one cell; `row` as a person reads it in the spreadsheet (the header is row 1)."""
    table = sheets[sheet]
    table[row - 1][table[0].index(column)] = value
    return sheets
