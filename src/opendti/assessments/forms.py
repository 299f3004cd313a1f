"""The one form of an indicator's inputs, built from its InputSpecs: every channel that writes a
value (the workspace, the Excel upload, the API, the what-if) reads and checks it here.

A channel differs only in its notation: people type Vietnamese numbers (`1.234,5`), the API and
the stored values are plain (`1234.5`), and a spreadsheet cell may hold a number natively. The
clean result is the canonical text stored in InputValue (`values()`), '' for no answer.
"""

from __future__ import annotations

import datetime
import json
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.core.forms import NumberField
from opendti.frameworks.models import InputSpec, Node
from opendti.numbers import Notation

from .inputs import Field, indicator_fields

YES = ("yes", "có", "co", "1", "true", "x", "đúng")
NO = ("no", "không", "khong", "0", "false", "sai")
MAX_TEXT = 2000


def field_key(node: Node, name: str) -> str:
    """The form field's name for one input: the workspace's `v-<indicator>-<input>`."""
    return f"v-{node.code}-{name}"


def label_of(field: Field) -> str:
    return field.label or _("Giá trị")


class YesNoField(forms.Field):
    """Có/Không however it is written (yes, có, x, 1; Unikey's decomposed accents too)."""

    def to_python(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        text = unicodedata.normalize("NFC", str(value)).strip().lower()
        if text in YES:
            return "yes"
        if text in NO:
            return "no"
        if not text:
            return ""
        raise ValidationError(
            _("%(label)s: chọn Có hoặc Không.") % {"label": self.label}, code="invalid"
        )


class OptionField(forms.Field):
    """One of the indicator's options, exactly as the framework writes it."""

    def __init__(self, *, options: list[str], **kwargs: Any) -> None:
        self.options = options
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = unicodedata.normalize("NFC", "" if value is None else str(value)).strip()
        if text and text not in self.options:
            raise ValidationError(
                _("%(label)s: “%(value)s” không thuộc các lựa chọn (%(options)s).")
                % {"label": self.label, "value": text[:100], "options": " | ".join(self.options)},
                code="invalid",
            )
        return text


class DayField(forms.Field):
    """A date: ISO (the browser's date input, the API) or dd/mm/yyyy as Vietnamese write it."""

    def to_python(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        text = str(value).strip()
        if not text:
            return ""
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        for pattern in ("%d/%m/%Y", "%d-%m-%Y"):
            try:
                return datetime.datetime.strptime(text, pattern).date().isoformat()
            except ValueError:
                continue
        raise ValidationError(
            _("%(label)s: “%(value)s” không phải là ngày (ngày/tháng/năm hoặc YYYY-MM-DD).")
            % {"label": self.label, "value": text[:40]},
            code="invalid",
        )


class TextField(forms.CharField):
    def to_python(self, value: Any) -> str:
        # Some Vietnamese keyboards type decomposed letters: stored in NFC.
        return unicodedata.normalize("NFC", super().to_python(value) or "")


def input_field(field: Field, notation: Notation) -> forms.Field:
    label = label_of(field)
    if field.type in (InputSpec.Type.NUMBER, InputSpec.Type.INTEGER, InputSpec.Type.PERCENT):
        return NumberField(
            integer=field.type == InputSpec.Type.INTEGER,
            percent=field.type == InputSpec.Type.PERCENT,
            notation=notation,
            min_value=field.min,
            max_value=field.max,
            label=label,
            required=False,
        )
    if field.type == InputSpec.Type.YESNO:
        return YesNoField(label=label, required=False)
    if field.type == InputSpec.Type.CHOICE:
        return OptionField(options=field.choices, label=label, required=False)
    if field.type == InputSpec.Type.DATE:
        return DayField(label=label, required=False)
    return TextField(label=label, required=False, max_length=MAX_TEXT, strip=True)


def stored_value(field: Field, text: str) -> Any:
    """A stored canonical value as the form takes it back (a number as a Decimal, so that any
    notation reads it): for inputs a channel did not send, and for the form's initial values."""
    if text and field.is_number:
        return Decimal(text)
    return text


def stored_text(field: Field, value: Any) -> str:
    """The canonical text of a clean value."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return numbers.plain(value)
    return str(value)


def _ratio_allows_more(node: Node) -> bool:
    try:
        params = json.loads(node.params) if node.params else {}
    except ValueError:
        return False
    return isinstance(params, dict) and params.get("numerator_above_denominator") is True


class IndicatorForm(forms.Form):
    """An indicator's inputs: one field per InputSpec (named `v-<indicator>-<input>`), each read in
    the channel's notation and checked against its bounds; then the checks across inputs (a
    ratio's numerator not above its denominator, unless the framework allows it)."""

    def __init__(
        self,
        node: Node,
        data: Mapping[str, Any] | None = None,
        *,
        notation: Notation = Notation.VI,
        current: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.node = node
        self.inputs = indicator_fields(node)
        current = current or {}
        initial = {
            field_key(node, f.name): stored_value(f, current.get(f.name, "")) for f in self.inputs
        }
        super().__init__(data, initial=initial, **kwargs)
        for f in self.inputs:
            self.fields[field_key(node, f.name)] = input_field(f, notation)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.node.rule == "ratio" and not _ratio_allows_more(self.node):
            by_name = {f.name: f for f in self.inputs}
            top, bottom = by_name.get("numerator"), by_name.get("denominator")
            if top is not None and bottom is not None:
                high = cleaned.get(field_key(self.node, top.name))
                low = cleaned.get(field_key(self.node, bottom.name))
                if isinstance(high, Decimal) and isinstance(low, Decimal) and high > low:
                    self.add_error(
                        field_key(self.node, top.name),
                        ValidationError(
                            _(
                                "%(numerator)s (%(high)s) lớn hơn %(denominator)s (%(low)s): "
                                "tỷ lệ không thể vượt quá 100%%."
                            )
                            % {
                                "numerator": label_of(top),
                                "denominator": label_of(bottom),
                                "high": numbers.vi(high, trim=True),
                                "low": numbers.vi(low, trim=True),
                            },
                            code="ratio",
                        ),
                    )
        return cleaned

    def values(self) -> dict[str, str]:
        """Input name -> canonical text, for a valid form."""
        return {
            f.name: stored_text(f, self.cleaned_data.get(field_key(self.node, f.name)))
            for f in self.inputs
        }

    def messages(self) -> list[str]:
        """Every error, each naming its field, in the inputs' order."""
        found: list[str] = []
        for f in self.inputs:
            found.extend(str(m) for m in self.errors.get(field_key(self.node, f.name), []))
        found.extend(str(m) for m in self.non_field_errors())
        return found

    def error_inputs(self) -> list[str]:
        """The names of the inputs with an error."""
        return [f.name for f in self.inputs if field_key(self.node, f.name) in self.errors]

    def boxes(self) -> list[tuple[Field, str]]:
        """Each input with the text its box shows: what was typed when the form is bound,
        else the stored value written for people."""
        shown = []
        for f in self.inputs:
            bound = self[field_key(self.node, f.name)]
            value = bound.value()
            shown.append((f, "" if value is None else str(value)))
        return shown


def indicator_values_clean(
    node: Node,
    data: Mapping[str, Any],
    *,
    notation: Notation,
    current: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The canonical values of an indicator's inputs given by input name (those not given keep
    their current value); ValidationError with every message otherwise."""
    current = current or {}
    fields = {f.name: f for f in indicator_fields(node)}
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError(
            _("Đầu vào không thuộc chỉ số %(code)s: %(names)s")
            % {"code": node.code, "names": ", ".join(repr(n) for n in sorted(unknown))}
        )
    merged = {
        field_key(node, name): data[name]
        if name in data
        else stored_value(f, current.get(name, ""))
        for name, f in fields.items()
    }
    form = IndicatorForm(node, merged, notation=notation)
    if not form.is_valid():
        raise ValidationError(form.messages())
    return form.values()


class AnswerForm(IndicatorForm):
    """The workspace's form of one indicator: its inputs, the answer's version (optimistic
    concurrency), the estimate flag and the note."""

    version = forms.IntegerField(min_value=0)
    is_estimate = forms.BooleanField(required=False)
    note = forms.CharField(required=False, strip=False, max_length=MAX_TEXT)

    def clean_note(self) -> str:
        return unicodedata.normalize("NFC", self.cleaned_data.get("note") or "")


def box_text(field: Field, text: str) -> str:
    """A stored value as its input box shows it, so that saving it again changes nothing:
    numbers in Vietnamese notation (1.000 for a count, 1.234,5), the rest as stored."""
    if text and field.is_number:
        try:
            return numbers.vi_input(numbers.check_size(Decimal(text)), integer=field.integer)
        except (ArithmeticError, ValueError):
            return text
    return text


def value_display(field: Field, text: str) -> str:
    """A stored value as people read it (history, previews, conflicts): numbers in Vietnamese,
    Có/Không, dates as dd/mm/yyyy."""
    if not text:
        return ""
    if field.is_number:
        try:
            return numbers.vi(numbers.check_size(Decimal(text)), trim=True)
        except (ArithmeticError, ValueError):
            return text
    if field.type == InputSpec.Type.YESNO:
        return {"yes": _("Có"), "no": _("Không")}.get(text, text)
    if field.type == InputSpec.Type.DATE:
        try:
            return datetime.date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            return text
    return text
