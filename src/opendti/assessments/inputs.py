"""An indicator's inputs as forms and services see them (from the framework's InputSpec rows)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy

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


# The inputs a rule declares by itself (scoring.rules), named for people when the framework gives
# them no label of its own: a page never shows an input's code (`numerator`).
RULE_INPUT_LABELS = {
    "numerator": gettext_lazy("Tử số (số đạt)"),
    "denominator": gettext_lazy("Mẫu số (tổng số)"),
}


def input_label(name: str, label: str = "") -> str:
    """What people read for an input, in the reader's language: the framework's label; a rule's
    own input by its translated name; a single-input rule's value as "Giá trị". The code (`name`)
    only as a last resort, for a framework that declared an input without a label."""
    if label:
        return label
    if name in RULE_INPUT_LABELS:
        return str(RULE_INPUT_LABELS[name])
    return name or str(gettext_lazy("Giá trị"))


def indicator_fields(node: Node) -> list[Field]:
    specs = sorted(node.inputs.all(), key=lambda s: s.order)
    return [
        Field(
            s.name,
            input_label(s.name, s.label),
            s.type,
            s.unit,
            s.min_value,
            s.max_value,
            list(s.choices),
        )
        for s in specs
    ]
