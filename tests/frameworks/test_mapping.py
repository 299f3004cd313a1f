"""node_correspondence: which node of an older framework version each newer node compares with."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from opendti.frameworks.mapping import node_correspondence
from opendti.frameworks.models import Framework, Level, Node, NodeMapping

pytestmark = pytest.mark.django_db

TIERS = {"tiers": [{"min": 100, "points": 40}, {"min": 50, "points": 20}]}
# code, parent, max, rule, params
BASE = [
    ("1", "", 100, "", None),
    ("1.1", "1", 60, "yes_no", {}),
    ("1.2", "1", 40, "tiers", TIERS),
    ("2", "", 100, "", None),
    ("2.1", "2", 50, "yes_no", {}),
    ("2.2", "2", 50, "manual", {}),
]


def framework(year: int, rows: list[tuple], version: int = 1) -> Framework:
    level, _ = Level.objects.get_or_create(code="communes", defaults={"name": "Cấp xã"})
    fw = Framework.objects.create(
        code=f"communes-{year}", version=version, name=f"DTI {year}", year=year, level=level
    )
    nodes: dict[str, Node] = {}
    for order, (code, parent, max_points, rule, params) in enumerate(rows):
        nodes[code] = Node.objects.create(
            framework=fw,
            parent=nodes.get(parent),
            code=code,
            name=f"Chỉ số {code}",
            kind="main" if not parent else "component",
            max_points=Decimal(max_points),
            rule=rule,
            params=json.dumps(params) if rule else "",
            order=order,
        )
    return fw


def replaced(rows: list[tuple], which: str, **changes: object) -> list[tuple]:
    """The rows with one node's fields changed (code, parent, max, rule, params)."""
    fields = ("code", "parent", "max", "rule", "params")
    out = []
    for row in rows:
        if row[0] == which:
            values = dict(zip(fields, row, strict=True)) | changes
            row = tuple(values[f] for f in fields)
        out.append(row)
    return out


def test_the_same_code_with_the_same_rule_is_comparable_everywhere() -> None:
    old, new = framework(2024, BASE), framework(2025, BASE)
    found = node_correspondence(old, new)
    assert list(found) == ["1", "1.1", "1.2", "2", "2.1", "2.2"]
    assert all(c.comparable and c.sources == (c.code,) and c.reason == "" for c in found.values())


def test_params_compare_as_parsed_json_not_as_text() -> None:
    old = framework(2024, BASE)
    new = framework(2025, BASE)
    # The same parameters written with other spacing and key order.
    Node.objects.filter(framework=new, code="1.2").update(
        params='{"tiers":[{"points":40,"min":100},{"points":20,"min":50}]}'
    )
    assert node_correspondence(old, new)["1.2"].comparable


def test_a_changed_rule_or_max_is_not_comparable_and_says_why() -> None:
    changed_tiers = {"tiers": [{"min": 50, "points": 40}, {"min": 20, "points": 20}]}
    old = framework(2024, BASE)
    new_rows = replaced(BASE, "1.2", params=changed_tiers)
    new_rows = replaced(new_rows, "2.1", max=40)
    new_rows = replaced(new_rows, "2.2", max=60, rule="yes_no", params={})
    found = node_correspondence(old, framework(2025, new_rows))
    assert not found["1.2"].comparable and found["1.2"].reason == "đổi cách tính"
    assert not found["2.1"].comparable and found["2.1"].reason == "đổi điểm tối đa (50 → 40)"
    assert found["2.2"].reason == "đổi cách tính; đổi điểm tối đa (50 → 60)"
    assert found["1.1"].comparable


def test_a_new_indicator_has_no_counterpart() -> None:
    old = framework(2024, replaced(BASE, "1", max=60)[:2] + BASE[3:])  # 1 has only 1.1
    found = node_correspondence(old, framework(2025, BASE))
    assert found["1.2"].sources == () and not found["1.2"].comparable
    assert found["1.2"].reason == "chỉ số mới"
    assert found["1.1"].comparable


def test_a_renamed_indicator_is_comparable_only_through_an_explicit_mapping() -> None:
    old = framework(2024, replaced(BASE, "2.2", code="2.3"))
    new = framework(2025, BASE)
    before = node_correspondence(old, new)
    assert before["2.2"].reason == "chỉ số mới" and not before["2"].comparable
    NodeMapping.objects.create(
        source=Node.objects.get(framework=old, code="2.3"),
        target=Node.objects.get(framework=new, code="2.2"),
        note="Đổi mã 2.3 thành 2.2",
    )
    after = node_correspondence(old, new)
    assert after["2.2"].comparable and after["2.2"].explicit
    assert after["2.2"].sources == ("2.3",) and after["2.2"].reason == "Đổi mã 2.3 thành 2.2"
    assert after["2"].comparable  # its leaves now all have comparable counterparts


def test_an_explicit_mapping_wins_over_the_same_code() -> None:
    old, new = framework(2024, BASE), framework(2025, BASE)
    NodeMapping.objects.create(
        source=Node.objects.get(framework=old, code="1.1"),
        target=Node.objects.get(framework=new, code="1.1"),
        comparable=False,
        note="Đổi tiêu chí đánh giá",
    )
    found = node_correspondence(old, new)
    assert not found["1.1"].comparable and found["1.1"].reason == "Đổi tiêu chí đánh giá"
    assert not found["1"].comparable
    assert found["1"].reason == "có chỉ số thành phần không so sánh được: 1.1"


def test_a_parent_is_comparable_only_when_all_its_leaves_are_and_none_was_dropped() -> None:
    changed = node_correspondence(
        framework(2024, BASE), framework(2025, replaced(BASE, "1.2", rule="manual", params={}))
    )
    assert not changed["1"].comparable and "1.2" in changed["1"].reason
    assert changed["2"].comparable

    # 2024 had a third indicator under 2 that 2025 dropped, giving its points to 2.2.
    old = framework(2023, [*replaced(BASE, "2.2", max=30), ("2.3", "2", 20, "yes_no", {})])
    dropped = node_correspondence(old, framework(2026, replaced(BASE, "2.2", max=50)))
    assert not dropped["2"].comparable
    assert "bỏ chỉ số thành phần: 2.3" in dropped["2"].reason


def test_a_parent_with_a_changed_max_is_not_comparable() -> None:
    old_rows = replaced(replaced(BASE, "2", max=80), "2.2", max=30)
    old = framework(2023, old_rows)
    found = node_correspondence(old, framework(2025, BASE))
    assert found["2"].reason == (
        "đổi điểm tối đa (80 → 100); có chỉ số thành phần không so sánh được: 2.2"
    )


def test_the_same_framework_corresponds_to_itself_in_one_query(
    django_assert_num_queries,
) -> None:
    fw = framework(2025, BASE)
    with django_assert_num_queries(1):
        found = node_correspondence(fw, fw)
    assert all(c.comparable for c in found.values())


def test_two_frameworks_take_three_queries_whatever_their_size(
    django_assert_num_queries,
) -> None:
    old, new = framework(2024, BASE), framework(2025, BASE)
    with django_assert_num_queries(3):
        node_correspondence(old, new)
