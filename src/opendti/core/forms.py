"""Form fields every app shares: a number as a person types it (or a spreadsheet or the API sends
it), read by the one numbers module, with Vietnamese messages that name the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.numbers import Notation, NumberError


def reading(value: Decimal) -> str:
    """A reading of an unclear text, written so that it can only mean itself: no grouping, no
    trailing zeros (1234 and 1,234; 1000 and 1)."""
    return numbers.vi(value, trim=True, group=False)


def number_message(error: NumberError, label: str) -> str:
    """The Vietnamese message for a number that could not be read, naming the field."""
    values = {"label": label, "value": error.text}
    readings = [reading(r) for r in error.readings]
    if error.code == "ambiguous":
        return _(
            "%(label)s: “%(value)s” có hai cách hiểu: %(first)s hoặc %(second)s. Hãy nhập lại "
            "theo đúng một trong hai cách viết đó (dấu chấm ngăn cách hàng nghìn, dấu phẩy trước "
            "phần thập phân)."
        ) % {**values, "first": readings[0], "second": readings[1]}
    if error.code == "malformed" and len(readings) > 1:
        return _(
            "%(label)s: “%(value)s” viết chưa đúng cách (dấu chấm ngăn cách hàng nghìn, dấu phẩy "
            "trước phần thập phân). Có phải là %(first)s hay %(second)s?"
        ) % {**values, "first": readings[0], "second": readings[1]}
    if error.code == "malformed":
        return _(
            "%(label)s: “%(value)s” viết chưa đúng cách (dấu chấm ngăn cách hàng nghìn, dấu phẩy "
            "trước phần thập phân). Có phải là %(first)s?"
        ) % {**values, "first": readings[0]}
    if error.code == "not_whole":
        return _("%(label)s: “%(value)s” không phải là số nguyên (số đếm không có phần lẻ).") % (
            values
        )
    if error.code == "too_large":
        return _("%(label)s: “%(value)s” quá lớn (phần nguyên tối đa %(digits)d chữ số).") % {
            **values,
            "digits": numbers.MAX_WHOLE_DIGITS,
        }
    if error.code == "too_precise":
        return _("%(label)s: “%(value)s” có quá %(digits)d chữ số thập phân.") % {
            **values,
            "digits": numbers.MAX_FRACTION_DIGITS,
        }
    if error.code == "plain":
        return (
            _(
                "%(label)s: “%(value)s” phải là chuỗi số thập phân viết bằng dấu chấm, không có dấu "
                'ngăn cách hàng nghìn (ví dụ "1234.5").'
            )
            % values
        )
    return _("%(label)s: “%(value)s” không phải là số.") % values


def bounds_message(
    label: str, value: Decimal, low: Decimal | None, high: Decimal | None, *, percent: bool
) -> str | None:
    """Why a number is outside [low, high], naming the field; None when it is inside."""
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    shown = numbers.vi(value, trim=True)
    if low is not None and low.is_zero() and value < low and high is None:
        return _("%(label)s: không được là số âm (đã nhập %(value)s).") % {
            "label": label,
            "value": shown,
        }
    if percent and low is not None and high is not None:
        return _("%(label)s: tỷ lệ phải từ %(low)s%% đến %(high)s%% (đã nhập %(value)s%%).") % {
            "label": label,
            "value": shown,
            "low": numbers.vi(low, trim=True),
            "high": numbers.vi(high, trim=True),
        }
    if low is not None and value < low:
        return _("%(label)s: %(value)s nhỏ hơn giới hạn dưới %(low)s.") % {
            "label": label,
            "value": shown,
            "low": numbers.vi(low, trim=True),
        }
    assert high is not None
    return _("%(label)s: %(value)s lớn hơn giới hạn trên %(high)s.") % {
        "label": label,
        "value": shown,
        "high": numbers.vi(high, trim=True),
    }


class NumberField(forms.Field):
    """A number in the notation of its channel (people: `1.234,5`; the API: `"1234.5"`), or a
    number a spreadsheet cell holds natively; then its bounds. Clean value: Decimal or None.

    The label names the field in every message, since the web shows them by the input and the
    Excel upload and the API list them all together."""

    def __init__(
        self,
        *,
        integer: bool = False,
        percent: bool = False,
        notation: Notation = Notation.VI,
        min_value: Decimal | None = None,
        max_value: Decimal | None = None,
        **kwargs: Any,
    ) -> None:
        self.integer, self.percent, self.notation = integer, percent, notation
        self.min_value, self.max_value = min_value, max_value
        attrs = {"inputmode": "numeric" if integer else "decimal", "autocomplete": "off"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def _label(self) -> str:
        return str(self.label or _("Giá trị"))

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                return numbers.from_cell(value, integer=self.integer)
            if isinstance(value, str):
                return numbers.parse(
                    value, integer=self.integer, percent=self.percent, notation=self.notation
                )
            raise NumberError("invalid", str(value))
        except NumberError as error:
            raise ValidationError(number_message(error, self._label()), code=error.code) from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        message = bounds_message(
            self._label(), value, self.min_value, self.max_value, percent=self.percent
        )
        if message:
            raise ValidationError(message, code="bounds")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return numbers.vi_input(value, integer=self.integer)
        return value
