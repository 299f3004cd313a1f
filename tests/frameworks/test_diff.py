"""framework_diff: what changed between two framework versions, entry by entry."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from opendti.frameworks.diff import Change, framework_diff
from opendti.frameworks.models import Framework, Node, NodeMapping
from opendti.results.demo import demo_load

from .test_exchange import BASE, CHOICES, entry, import_doc

pytestmark = pytest.mark.django_db


def edited(change: Any) -> dict[str, Any]:
    """BASE with `change(document, nodes by code)` applied."""
    document = copy.deepcopy(BASE)
    change(document, {e["code"]: e for e in document["framework"]})
    return document


def diff_of(tmp_path: Path, change: Any) -> tuple[Framework, Framework, Any]:
    old = import_doc(tmp_path)
    new = import_doc(tmp_path, edited(change))
    return old, new, framework_diff(old, new)


def map_nodes(old: Framework, new: Framework, *pairs: tuple[str, str]) -> None:
    for source, target in pairs:
        NodeMapping.objects.create(
            source=Node.objects.get(framework=old, code=source),
            target=Node.objects.get(framework=new, code=target),
        )


def test_a_version_and_its_copy_do_not_differ(tmp_path: Path) -> None:
    old, new, diff = diff_of(tmp_path, lambda d, n: None)
    assert (old.version, new.version) == (1, 2)
    assert diff.empty
    assert diff.lines() == []
    assert framework_diff(old, old).empty


def test_every_field_of_a_node_that_changes_is_an_entry(tmp_path: Path) -> None:
    def change(document: dict, nodes: dict) -> None:
        nodes["A"]["kind"] = "group"
        nodes["A1"]["max_points"] = "10"
        nodes["AX"]["scored"] = True  # its 10 points now count, in place of A1's 10
        nodes["A2"]["params"] = {"choices": dict(reversed(CHOICES["choices"].items()))}
        nodes["B"]["pillars"] = ["kts", "cqs"]
        nodes["B1"] |= {"rule": "linear", "params": {"from": 0, "to": 100}, "applies_to": []}
        nodes["BX"] |= {
            "guidance": "Xem hướng dẫn",
            "evidence_required": True,
            "source": "auto",
            "verifier": "",
        }

    _old, _new, diff = diff_of(tmp_path, change)
    reordered = json.dumps(
        {"choices": dict(reversed(CHOICES["choices"].items()))},
        ensure_ascii=False,
        separators=(", ", ": "),
    )
    assert set(diff.nodes) == {
        Change("node", "changed", "A", "kind", "main", "group"),
        Change("node", "changed", "A1", "max_points", "20", "10"),
        Change("node", "changed", "AX", "scored", "no", "yes"),
        Change(
            "node",
            "changed",
            "A2",
            "params",
            json.dumps(CHOICES, ensure_ascii=False, separators=(", ", ": ")),
            reordered,
        ),
        Change("node", "changed", "B", "pillars", "kts", "cqs;kts"),
        Change("node", "changed", "B1", "rule", "tiers", "linear"),
        Change(
            "node",
            "changed",
            "B1",
            "params",
            json.dumps(BASE["framework"][5]["params"], separators=(", ", ": ")),
            '{"from": 0, "to": 100}',
        ),
        Change("node", "changed", "B1", "applies_to", "phuong", ""),
        Change("node", "changed", "BX", "guidance", "", "Xem hướng dẫn"),
        Change("node", "changed", "BX", "evidence_required", "no", "yes"),
        Change("node", "changed", "BX", "source", "reviewer", "auto"),
        Change("node", "changed", "BX", "verifier", "Sở Nội vụ", ""),
    }
    assert len(diff.nodes) == 12
    assert diff.framework == diff.pillars == diff.bands == ()
    lines = diff.lines()
    assert "Chỉ số AX: đổi tính điểm: không → có" in lines
    assert "Chỉ số A1: đổi điểm tối đa: 20 → 10" in lines
    assert "Chỉ số BX: đổi đơn vị phối hợp xác minh: Sở Nội vụ → (trống)" in lines


def test_pillars_bands_and_the_framework_itself(tmp_path: Path) -> None:
    def change(document: dict, nodes: dict) -> None:
        document["meta"] |= {"name": "Bộ chỉ số 2026", "decision_date": "2026-01-02"}
        document["meta"]["total_max"] = None
        document["pillars"][0]["name"] = "Chính quyền số (CQS)"
        document["pillars"].append({"code": "xhs", "name": "Xã hội số"})
        document["bands"][1] |= {"lower": "70", "lower_inclusive": True}  # Khá
        document["bands"].insert(0, dict(document["bands"][0], label="Xuất sắc", lower="95"))
        del document["bands"][1]  # Tốt
        document["bands"] = [b for b in document["bands"] if b["scheme"] == "total"]

    _old, _new, diff = diff_of(tmp_path, change)
    assert diff.framework == (
        Change("framework", "changed", "", "name", "Bộ chỉ số thử nghiệm", "Bộ chỉ số 2026"),
        Change("framework", "changed", "", "decision_date", "2025-03-15", "2026-01-02"),
        Change("framework", "changed", "", "total_max", "100", ""),
    )
    assert diff.pillars == (
        Change("pillar", "renamed", "cqs", "", "Chính quyền số", "Chính quyền số (CQS)"),
        Change("pillar", "added", "xhs", after="Xã hội số"),
    )
    assert set(diff.bands) == {
        Change("band", "added", "total:Xuất sắc", after="≥ 95%"),
        Change("band", "removed", "total:Tốt", before="≥ 80%"),
        Change("band", "changed", "total:Khá", "lower", "> 65%", "≥ 70%"),
        Change("band", "removed", "pillar", before="Đạt ≥ 25.5; Chưa đạt mức thấp nhất"),
    }
    assert diff.nodes == ()
    lines = diff.lines()
    assert "Bộ chỉ số: đổi thang điểm: 100 → (trống)" in lines
    assert "Trụ cột xhs: thêm mới: Xã hội số" in lines
    assert "Thang xếp loại tổng điểm, mức Khá: đổi cận dưới: > 65% → ≥ 70%" in lines
    assert "Thang xếp loại trụ cột: bỏ (trước đây: Đạt ≥ 25.5; Chưa đạt mức thấp nhất)" in lines


def test_a_basis_change_is_one_entry_for_the_scheme(tmp_path: Path) -> None:
    def change(document: dict, nodes: dict) -> None:
        for band in document["bands"]:
            if band["scheme"] == "pillar":
                band["basis"] = "percent"

    _old, _new, diff = diff_of(tmp_path, change)
    assert diff.entries == (Change("band", "changed", "pillar", "basis", "points", "percent"),)
    assert diff.lines() == ["Thang xếp loại trụ cột: đổi căn cứ: points → percent"]


def test_a_code_changed_through_a_mapping_is_recoded_not_added_and_removed(tmp_path: Path) -> None:
    def change(document: dict, nodes: dict) -> None:
        nodes["B2"]["code"] = "B9"
        nodes["A"]["code"] = "G"  # a parent with a new code: its children are not re-pointed
        for code in ("A1", "A2", "AX"):
            nodes[code]["parent"] = "G"

    old, new, unmapped = diff_of(tmp_path, change)
    assert {(c.kind, c.code) for c in unmapped.nodes} == {
        ("added", "G"), ("added", "B9"), ("removed", "A"), ("removed", "B2"),
        ("repointed", "A1"), ("repointed", "A2"), ("repointed", "AX"),
    }  # fmt: skip

    map_nodes(old, new, ("B2", "B9"), ("A", "G"))
    diff = framework_diff(old, new)
    assert diff.nodes == (
        Change("node", "recoded", "G", before="A", after="G"),
        Change("node", "recoded", "B9", before="B2", after="B9"),
    )
    assert "Chỉ số B9: đổi mã: B2 → B9" in diff.lines()


def test_a_mapping_overrides_the_same_code(tmp_path: Path) -> None:
    """Old B2 became B1 and old B1 became B2 (swapped): each is compared with its counterpart."""

    def change(document: dict, nodes: dict) -> None:
        nodes["B1"]["code"], nodes["B2"]["code"] = "B2", "B1"

    old, new, same_code = diff_of(tmp_path, change)
    assert {(c.kind, c.code, c.field) for c in same_code.nodes} >= {("renamed", "B1", "")}
    map_nodes(old, new, ("B1", "B2"), ("B2", "B1"))
    assert framework_diff(old, new).nodes == (
        Change("node", "recoded", "B2", before="B1", after="B2"),
        Change("node", "recoded", "B1", before="B2", after="B1"),
    )


def test_two_indicators_merged_into_one(tmp_path: Path) -> None:
    def change(document: dict, nodes: dict) -> None:
        nodes["A1"] |= {"max_points": "50", "name": "Chỉ số gộp"}
        document["framework"].remove(nodes["A2"])

    old, new, _diff = diff_of(tmp_path, change)
    map_nodes(old, new, ("A1", "A1"), ("A2", "A1"))
    diff = framework_diff(old, new)
    # Several old indicators in one: the mapping says so; there is no single "before" to compare.
    assert diff.nodes == (Change("node", "recoded", "A1", before="A2", after="A1"),)


def test_added_nodes_are_listed_in_the_new_versions_order(tmp_path: Path) -> None:
    def change(document: dict, nodes: dict) -> None:
        document["framework"] += [
            entry("C", None, "0", scored=False),
            entry("C1", "C", "0", "yes_no", scored=False),
        ]

    _old, _new, diff = diff_of(tmp_path, change)
    assert diff.nodes == (
        Change("node", "added", "C", after="Chỉ số C"),
        Change("node", "added", "C1", after="Chỉ số C1"),
    )


def test_the_demo_years_differ_as_the_demo_says() -> None:
    demo_load()
    old = Framework.objects.get(code="communes-2024")
    new = Framework.objects.get(code="communes-2025")
    diff = framework_diff(old, new)
    assert Change("node", "recoded", "7.2", before="7.3", after="7.2") in diff.nodes
    assert Change("node", "added", "6.4", after="Cổng dữ liệu mở của xã") in diff.nodes
    assert Change("node", "changed", "HD", "max_points", "480", "500") in diff.nodes
    assert not [c for c in diff.nodes if c.code in ("7.2", "7.3") and c.kind != "recoded"]
    assert Change("framework", "changed", "", "year", "2024", "2025") in diff.framework
