"""The migration that brings frameworks imported before the numbers module in line with the
engine's input kinds: a ratio's inputs become counts, percents get their 0–100 bounds, what a
framework declared stays."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("frameworks", "0003_inputspec_integer_type")]
AFTER = [("frameworks", "0004_inputspec_counts_and_percent_bounds")]


def test_counts_and_percent_bounds_follow_the_engine() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Level = apps.get_model("frameworks", "Level")
    Framework = apps.get_model("frameworks", "Framework")
    Node = apps.get_model("frameworks", "Node")
    InputSpec = apps.get_model("frameworks", "InputSpec")
    framework = Framework.objects.create(
        code="f", name="f", year=2024, level=Level.objects.create(code="l", name="l")
    )

    def leaf(code: str, rule: str, params: str = "") -> object:
        return Node.objects.create(
            framework=framework, code=code, name=code, kind="component", max_points=10,
            rule=rule, params=params,
        )  # fmt: skip

    ratio = leaf("1", "ratio")
    declared = leaf("2", "ratio", '{"inputs": [{"name": "numerator", "type": "number"}]}')
    percent = leaf("3", "linear", '{"inputs": [{"name": "", "type": "percent", "max": 150}]}')
    for node, name, type_ in (
        (ratio, "numerator", "number"),
        (ratio, "denominator", "number"),
        (declared, "numerator", "number"),
        (percent, "", "percent"),
    ):
        InputSpec.objects.create(node=node, name=name, type=type_)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    rows = {
        (s.node.code, s.name): (s.type, s.min_value, s.max_value)
        for s in apps.get_model("frameworks", "InputSpec").objects.select_related("node")
    }
    assert rows[("1", "numerator")] == ("integer", Decimal(0), None)
    assert rows[("1", "denominator")] == ("integer", Decimal(0), None)
    assert rows[("2", "numerator")] == ("number", None, None)  # declared by the framework
    assert rows[("3", "")] == ("percent", Decimal(0), None)  # its own max (150) was declared
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
