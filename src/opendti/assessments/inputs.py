"""An indicator's inputs as forms and services see them (from the framework's InputSpec rows)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from opendti.frameworks.models import InputSpec, Node

NUMBER_TYPES = (InputSpec.Type.NUMBER, InputSpec.Type.INTEGER, InputSpec.Type.PERCENT)


@dataclass(frozen=True)
class Field:
    """One input of an indicator as the form shows it."""

    name: str
    label: str
    type: str
    unit: str
    min: Decimal | None
    max: Decimal | None
    choices: list[str]

    @property
    def is_number(self) -> bool:
        return self.type in NUMBER_TYPES

    @property
    def integer(self) -> bool:
        return self.type == InputSpec.Type.INTEGER


def indicator_fields(node: Node) -> list[Field]:
    specs = sorted(node.inputs.all(), key=lambda s: s.order)
    return [
        Field(s.name, s.label or s.name, s.type, s.unit, s.min_value, s.max_value, list(s.choices))
        for s in specs
    ]
