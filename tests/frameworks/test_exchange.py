"""Framework exchange: export to XLSX/JSON, import as a new version, all or nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from openpyxl import load_workbook

from opendti.cli import main
from opendti.frameworks.diff import Change, framework_diff
from opendti.frameworks.exchange import COLUMNS, framework_export, framework_import
from opendti.frameworks.models import Band, Framework, InputSpec, Level, Node, Pillar
from opendti.results.demo import demo_load
from opendti.workbook import WorkbookError, parse_workbook, read_workbook
from opendti.workbook.sheets import Sheet

pytestmark = pytest.mark.django_db

TIERS = {"tiers": [{"min": 90, "points": 25}, {"min": 50, "points": 10}]}
CHOICES = {"choices": {"Đầy đủ": 30, "Một phần": 15, "Chưa có": 0}}


def entry(code: str, parent: str | None, max_points: str, rule: str = "", **extra: Any) -> dict:
    return {
        "code": code,
        "parent": parent,
        "name": extra.pop("name", f"Chỉ số {code}"),
        "kind": extra.pop("kind", "component" if parent else "main"),
        "max_points": max_points,
        "pillars": extra.pop("pillars", []),
        "scored": extra.pop("scored", True),
        "rule": rule,
        "params": extra.pop("params", {} if rule else None),
        **extra,
    }


# A small framework with every kind of field: pillars, informational (unscored) leaves, rules with
# inputs, applies_to, guidance, source, verifier, two band schemes and an issuing decision.
BASE: dict[str, Any] = {
    "meta": {
        "code": "thu-nghiem",
        "name": "Bộ chỉ số thử nghiệm",
        "year": 2025,
        "level": "thu-nghiem",
        "level_name": "Cấp thử nghiệm",
        "decision_number": "123/QĐ-UBND",
        "decision_date": "2025-03-15",
        "decision_issuer": "UBND tỉnh",
        "total_max": "100",
    },
    "pillars": [{"code": "cqs", "name": "Chính quyền số"}, {"code": "kts", "name": "Kinh tế số"}],
    "framework": [
        entry("A", None, "50", pillars=["cqs"]),
        entry("A1", "A", "20", "yes_no", guidance="Có văn bản", evidence_required=True),
        entry("A2", "A", "30", "choice", params=CHOICES),
        entry("AX", "A", "10", "manual", scored=False, kind="criterion"),
        entry("B", None, "50", pillars=["kts"]),
        entry("B1", "B", "25", "tiers", params=TIERS, applies_to=["phuong"]),
        entry("B2", "B", "25", "ratio"),
        entry("BX", "B", "5", "manual", scored=False, source="reviewer", verifier="Sở Nội vụ"),
    ],
    "bands": [
        {
            "scheme": "total",
            "label": "Tốt",
            "basis": "percent",
            "lower": "80",
            "lower_inclusive": True,
        },
        {
            "scheme": "total",
            "label": "Khá",
            "basis": "percent",
            "lower": "65",
            "lower_inclusive": False,
        },
        {
            "scheme": "total",
            "label": "Yếu",
            "basis": "percent",
            "lower": None,
            "lower_inclusive": True,
        },
        {
            "scheme": "pillar",
            "label": "Đạt",
            "basis": "points",
            "lower": "25.5",
            "lower_inclusive": True,
        },
        {
            "scheme": "pillar",
            "label": "Chưa đạt",
            "basis": "points",
            "lower": None,
            "lower_inclusive": True,
        },
    ],
}


def write_doc(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def import_doc(tmp_path: Path, document: dict[str, Any] | None = None, **kwargs: Any) -> Framework:
    name = f"doc-{len(list(tmp_path.iterdir()))}.json"
    return framework_import(path=write_doc(tmp_path / name, document or BASE), **kwargs)


def snapshot(framework: Framework) -> dict[str, list[tuple]]:
    """Everything a framework version holds, without database ids or its version."""
    return {
        "pillars": list(framework.pillars.values_list("code", "name", "order")),
        "nodes": [
            (
                n.code, n.parent.code if n.parent else "", n.name, n.kind, n.max_points, n.scored,
                n.rule, n.params, n.applies_to, n.guidance, n.evidence_required, n.source,
                n.verifier, n.order, sorted(p.code for p in n.pillars.all()),
            )
            for n in framework.nodes.select_related("parent").prefetch_related("pillars")
        ],
        "inputs": list(
            InputSpec.objects.filter(node__framework=framework)
            .order_by("node__order", "order")
            .values_list(
                "node__code", "name", "label", "type", "unit", "min_value", "max_value",
                "choices", "order",
            )
        ),
        "bands": list(
            Band.objects.filter(scheme__framework=framework)
            .order_by("scheme__scope", "order")
            .values_list("scheme__scope", "scheme__basis", "label", "lower", "lower_inclusive")
        ),
        "meta": [
            (
                framework.code, framework.name, framework.year, framework.level_id,
                framework.decision_number, framework.decision_date, framework.decision_issuer,
                framework.total_max,
            )
        ],
    }  # fmt: skip


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Framework, Node, Pillar, InputSpec, Band, Level))


# Round trip ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".json"])
def test_every_demo_framework_round_trips_with_an_empty_diff(tmp_path: Path, suffix: str) -> None:
    demo_load()
    originals = list(Framework.objects.order_by("code", "version"))
    assert len(originals) == 5
    for original in originals:
        path = tmp_path / f"{original.code}{suffix}"
        framework_export(framework=original, path=path)
        imported = framework_import(path=path)

        assert (imported.code, imported.version) == (original.code, original.version + 1)
        diff = framework_diff(original, imported)
        assert diff.empty, diff.lines()
        assert imported.nodes.count() == original.nodes.count() > 0
        assert snapshot(imported) == snapshot(original)
        assert InputSpec.objects.filter(node__framework=imported).count() == (
            InputSpec.objects.filter(node__framework=original).count()
        )


@pytest.mark.parametrize("suffix", [".xlsx", ".json"])
def test_the_small_framework_round_trips_with_its_decision(tmp_path: Path, suffix: str) -> None:
    original = import_doc(tmp_path)
    assert original.version == 1
    assert original.level.name == "Cấp thử nghiệm"
    assert str(original.decision_date) == "2025-03-15"
    assert InputSpec.objects.filter(node__framework=original).count() == 7  # ratio has two
    framework_export(framework=original, path=tmp_path / f"out{suffix}")
    again = framework_import(path=tmp_path / f"out{suffix}")
    assert again.version == 2
    assert snapshot(again) == snapshot(original)
    assert framework_diff(original, again).empty


def test_json_is_stable_utf8_with_decimals_as_strings(tmp_path: Path) -> None:
    framework = import_doc(tmp_path)
    framework_export(framework=framework, path=tmp_path / "one.json")
    framework_export(framework=framework, path=tmp_path / "two.json")
    raw = (tmp_path / "one.json").read_bytes()
    assert raw == (tmp_path / "two.json").read_bytes()
    text = raw.decode("utf-8")
    assert "Chính quyền số" in text  # not \u-escaped
    document = json.loads(text)
    assert list(document) == ["meta", "pillars", "framework", "bands"]
    assert list(document["framework"][0]) == list(COLUMNS["framework"])
    assert document["meta"]["total_max"] == "100"
    assert document["meta"]["year"] == 2025
    a2 = next(e for e in document["framework"] if e["code"] == "A2")
    assert a2["max_points"] == "30"
    assert list(a2["params"]["choices"]) == ["Đầy đủ", "Một phần", "Chưa có"]  # order kept
    assert document["bands"][3]["lower"] == "25.5"


def test_the_xlsx_sheets_are_the_workbooks_and_its_parser_reads_them(tmp_path: Path) -> None:
    framework = import_doc(tmp_path)
    path = tmp_path / "fw.xlsx"
    framework_export(framework=framework, path=path)
    book = load_workbook(path)
    assert book.sheetnames == ["framework", "pillars", "bands", "meta"]
    assert [c.value for c in book["framework"][1]] == list(COLUMNS["framework"])
    assert [c.value for c in book["meta"]["A"]][1:] == [
        "code", "name", "year", "level", "level_name", "decision_number", "decision_date",
        "decision_issuer", "national_basis", "total_max",
    ]  # fmt: skip
    assert book["framework"]["E2"].value == 50  # numbers, so that Excel sums them

    # The assessment workbook's reader and parser take these sheets as they are.
    raw = read_workbook(path)
    raw["settings"] = Sheet(
        "settings", ["key", "value"], [{"key": "total_max", "value": "100"}], [2]
    )
    raw["units"] = Sheet("units", ["code", "name", "group"])
    nodes = parse_workbook(raw).assessment.framework.nodes
    assert [n.code for n in nodes] == ["A", "A1", "A2", "AX", "B", "B1", "B2", "BX"]
    assert nodes[2].rule is not None and nodes[2].rule.params == CHOICES


def test_each_import_is_a_new_version_and_code_chooses_the_framework(tmp_path: Path) -> None:
    first = import_doc(tmp_path)
    second = import_doc(tmp_path)
    other = import_doc(tmp_path, code="khac")
    assert [first.version, second.version, other.version] == [1, 2, 1]
    assert other.code == "khac"
    assert Level.objects.filter(code="thu-nghiem").count() == 1


def test_a_child_listed_before_its_parent_is_imported(tmp_path: Path) -> None:
    document = copy.deepcopy(BASE)
    document["framework"].reverse()
    framework = import_doc(tmp_path, document)
    assert Node.objects.get(framework=framework, code="A1").parent.code == "A"
    assert Node.objects.get(framework=framework, code="BX").order == 0  # the file's order


# Hand-edited files --------------------------------------------------------------------------------


def edit_rows(path: Path, change: Any) -> None:
    """Apply `change(rows)` to the framework entries of an exported file, as a person would."""
    if path.suffix == ".json":
        document = json.loads(path.read_text(encoding="utf-8"))
        change(document["framework"])
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return
    book = load_workbook(path)
    sheet = book["framework"]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    change(rows)
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append([row.get(c) for c in header])
    book.save(path)


def hand_edit(rows: list[dict[str, Any]]) -> None:
    by_code = {row["code"]: row for row in rows}
    by_code["A1"]["name"] = "Lãnh đạo chủ trì chuyển đổi số"  # renamed
    by_code["AX"]["parent"] = "B"  # re-pointed (an unscored leaf: the sums still hold)
    by_code["BX"]["max_points"] = "8"  # a new max
    rows.remove(by_code["B2"])  # removed
    added = dict(by_code["B1"], code="B3", name="Chỉ số mới B3", params=json.dumps(TIERS))
    added["applies_to"] = "" if isinstance(added["applies_to"], str) else []
    rows.append(added)  # added, with B2's 25 points


EXPECTED_EDITS = {
    Change("node", "renamed", "A1", "", "Chỉ số A1", "Lãnh đạo chủ trì chuyển đổi số"),
    Change("node", "repointed", "AX", "", "A", "B"),
    Change("node", "changed", "BX", "max_points", "5", "8"),
    Change("node", "added", "B3", after="Chỉ số mới B3"),
    Change("node", "removed", "B2", before="Chỉ số B2"),
}


@pytest.mark.parametrize("suffix", [".xlsx", ".json"])
def test_a_hand_edited_export_gives_exactly_its_edits(tmp_path: Path, suffix: str) -> None:
    original = import_doc(tmp_path)
    path = tmp_path / f"edited{suffix}"
    framework_export(framework=original, path=path)
    edit_rows(path, hand_edit)
    edited = framework_import(path=path)
    assert edited.version == 2
    diff = framework_diff(original, edited)
    assert set(diff.entries) == EXPECTED_EDITS, diff.lines()
    assert len(diff.entries) == len(EXPECTED_EDITS)
    assert diff.framework == diff.pillars == diff.bands == ()


# Invalid files ------------------------------------------------------------------------------------


def break_rows(rows: list[dict[str, Any]]) -> None:
    by_code = {row["code"]: row for row in rows}
    by_code["B1"]["params"] = json.dumps({"tiers": "nhiều"})  # bad rule params
    by_code["A2"]["parent"] = "Z"  # no such parent
    by_code["BX"]["code"] = "B1"  # a duplicate code


@pytest.mark.parametrize(
    ("suffix", "located"),
    [
        # XLSX: the row as the spreadsheet shows it (header = 1) and the column's letter.
        (".xlsx", {("framework", 7, "params", "I"), ("framework", 4, "parent", "B"),
                   ("framework", 9, "code", "A")}),
        # JSON: the entry's number in the list, and its key.
        (".json", {("framework", 6, "params", ""), ("framework", 3, "parent", ""),
                   ("framework", 8, "code", "")}),
    ],
)  # fmt: skip
def test_an_invalid_file_is_refused_with_every_error_located_and_nothing_written(
    tmp_path: Path, suffix: str, located: set[tuple]
) -> None:
    original = import_doc(tmp_path)
    path = tmp_path / f"broken{suffix}"
    framework_export(framework=original, path=path)
    edit_rows(path, break_rows)
    before = counts()
    with pytest.raises(WorkbookError) as error:
        framework_import(path=path)
    found = {(e.sheet, e.row, e.column, e.letter) for e in error.value.errors}
    assert found == located, [str(e) for e in error.value.errors]
    assert counts() == before
    message = str(error.value)
    assert "'Z' is not a code of this framework" in message
    assert "the code 'B1' is used twice" in message


def test_meta_and_sheet_errors_are_reported_together(tmp_path: Path) -> None:
    document = copy.deepcopy(BASE)
    document["meta"] |= {"year": "năm nay", "decision_date": "15-03", "total_max": "99"}
    document["meta"]["level"] = ""
    document["meta"]["extra"] = "?"
    document["pillars"].append({"code": "cqs", "name": "Lặp lại"})
    document["framework"][1]["max_points"] = "20.123456"
    document["framework"][2]["kind"] = "leaf"
    document["bands"][1]["lower"] = "90"  # above the band before it
    before = counts()
    with pytest.raises(WorkbookError) as error:
        import_doc(tmp_path, document)
    found = {(e.sheet, e.row, e.column) for e in error.value.errors}
    assert found >= {
        ("meta", None, "year"),
        ("meta", None, "decision_date"),
        ("meta", None, "level"),
        ("meta", None, "extra"),
        ("pillars", 3, "code"),
        ("framework", 2, "max_points"),
        ("framework", 3, "kind"),
        ("bands", 2, "lower"),
    }, [str(e) for e in error.value.errors]
    assert counts() == before


def test_a_total_that_differs_from_the_tree_is_located_in_meta(tmp_path: Path) -> None:
    original = import_doc(tmp_path)
    path = tmp_path / "total.xlsx"
    framework_export(framework=original, path=path)
    book = load_workbook(path)
    meta = book["meta"]
    row = next(r for r in meta.iter_rows(min_row=2) if r[0].value == "total_max")
    row[1].value = 90
    book.save(path)
    with pytest.raises(WorkbookError) as error:
        framework_import(path=path)
    [only] = error.value.errors
    assert (only.sheet, only.row, only.column) == ("meta", row[1].row, "value")
    assert "sum to 100" in only.message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fw.csv", "code\n", "must end in .xlsx or .json"),
        ("fw.json", "{not json", "not valid JSON"),
        ("fw.json", "[]", "must be a JSON object"),
        ("fw.xlsx", "not a spreadsheet", "not a readable XLSX file"),
        ("fw.json", '{"meta": {}}', "the sheet is missing"),
    ],
)
def test_unreadable_files_are_refused(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(WorkbookError, match=message):
        framework_import(path=tmp_path / name)
    assert Framework.objects.count() == 0


# Commands -----------------------------------------------------------------------------------------


def test_export_and_import_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import_doc(tmp_path)
    import_doc(tmp_path)
    call_command("export_framework", "thu-nghiem", str(tmp_path / "v1.json"), "--version", "1")
    call_command("export_framework", "thu-nghiem", str(tmp_path / "latest.xlsx"))
    out = capsys.readouterr().out
    assert "version 1" in out and "version 2" in out
    call_command("import_framework", str(tmp_path / "latest.xlsx"))
    assert "Imported framework 'thu-nghiem' version 3 (8 nodes)" in capsys.readouterr().out
    call_command("import_framework", str(tmp_path / "v1.json"), "--code", "ban-sao")
    assert "'ban-sao' version 1" in capsys.readouterr().out

    with pytest.raises(CommandError, match="no framework 'thu-nghiem' version 9"):
        call_command("export_framework", "thu-nghiem", str(tmp_path / "x.json"), version=9)
    with pytest.raises(CommandError, match=r"must end in \.xlsx or \.json"):
        call_command("export_framework", "thu-nghiem", str(tmp_path / "x.txt"))


def test_import_command_lists_every_error_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    framework_export(framework=import_doc(tmp_path), path=tmp_path / "broken.xlsx")
    edit_rows(tmp_path / "broken.xlsx", break_rows)
    before = counts()
    with pytest.raises(CommandError) as error:
        call_command("import_framework", str(tmp_path / "broken.xlsx"))
    text = str(error.value)
    assert "3 error(s) in the file; nothing was imported" in text
    assert "framework, row 7, column I 'params'" in text
    assert "framework, row 4, column B 'parent'" in text
    assert "framework, row 9, column A 'code'" in text

    # As the `opendti` program: the errors on stderr, exit status 1. (The program closes the
    # database connections when it ends; the test's transaction needs its connection open.)
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        main(["import-framework", str(tmp_path / "broken.xlsx")])
    assert exited.value.code == 1
    assert "row 7, column I 'params'" in capsys.readouterr().err
    assert counts() == before


def test_diff_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = import_doc(tmp_path)
    framework_export(framework=original, path=tmp_path / "fw.json")
    framework_import(path=tmp_path / "fw.json")
    call_command("diff_frameworks", "thu-nghiem", "1", "2")
    assert capsys.readouterr().out == "Không có khác biệt.\n"

    edit_rows(tmp_path / "fw.json", hand_edit)
    framework_import(path=tmp_path / "fw.json")
    call_command("diff_frameworks", "thu-nghiem", "1", "3")
    out = capsys.readouterr().out.splitlines()
    assert "Chỉ số A1: đổi tên: Chỉ số A1 → Lãnh đạo chủ trì chuyển đổi số" in out
    assert "Chỉ số AX: đổi chỉ số cha: A → B" in out
    assert "Chỉ số BX: đổi điểm tối đa: 5 → 8" in out
    assert "Chỉ số B3: thêm mới: Chỉ số mới B3" in out
    assert "Chỉ số B2: bỏ (trước đây: Chỉ số B2)" in out
    assert len(out) == 5

    with pytest.raises(CommandError, match="has no version 7"):
        call_command("diff_frameworks", "thu-nghiem", "1", "7")
