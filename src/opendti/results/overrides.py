"""Unsaved or newly saved input values of one unit as the engine's values: the what-if, the
workspace's preview and the results of a revision reached by value edits (results.source)."""

from __future__ import annotations

from collections.abc import Mapping

from opendti.scoring.model import Assessment, Value
from opendti.workbook.validate import value

# indicator code -> input name -> canonical value ('' = none)
Overrides = Mapping[str, Mapping[str, str]]


def engine_changes(
    assessment: Assessment, overrides: Overrides
) -> dict[str, dict[str, Value]] | None:
    """The overrides as the engine's values, read by the workbook's own value reader; None when
    one cannot be read that way (the full path then reports it)."""
    nodes = {node.code: node for node in assessment.framework.nodes}
    changes: dict[str, dict[str, Value]] = {}
    for code, texts in overrides.items():
        node = nodes.get(code)
        if node is None or node.rule is None:
            return None
        specs = {spec.name: spec for spec in node.rule.inputs}
        values: dict[str, Value] = {}
        for name, text in texts.items():
            if not text.strip():
                continue
            spec = specs.get(name)
            if spec is None:
                return None
            try:
                values[name] = value(spec, text)
            except ValueError:
                return None
        changes[code] = values
    return changes
