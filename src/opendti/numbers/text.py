"""Writing numbers: for people in Vietnamese, for machines as plain dot decimals.

- `vi`: what every page, message, report and Excel cell a person reads shows — a dot groups
  thousands and a comma starts the decimals (`1.234,5`), Babel's `vi` symbols. Rounding, when
  asked for, is half up like the engine's; without it the value is shown exactly as held.
- `vi_input`: the text put back into an input box, which must read back to the same number:
  a count groups its thousands (`1.000`), a decimal groups them only when it has a comma
  (`1.234,5`, but `1000`: `1.000` would be ambiguous for a decimal input).
- `plain`: the canonical text stored and sent by the API (`1234.5`, trailing zeros dropped, never
  an exponent); `fixed`: plain with exactly n places (open data, `1000.00`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_decimal_symbol, get_group_symbol

from .parse import LOCALE

DECIMAL_SIGN = get_decimal_symbol(LOCALE)  # ","
GROUP_SIGN = get_group_symbol(LOCALE)  # "."
MISSING = "—"

Number = Decimal | int


def plain(value: Number | None) -> str:
    """The canonical text: 100.0000 -> "100", 0.5000 -> "0.5", -0 -> "0"; None -> ""."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


def fixed(value: Decimal | None, decimals: int) -> str | None:
    """Plain text with `decimals` places ("1000" -> "1000.00"). Only zeros are ever added: a
    value with more places keeps them all rather than being rounded here."""
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -decimals:
        value = value.quantize(Decimal(1).scaleb(-decimals))
    return format(value, "f")


def _rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _grouped(digits: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return GROUP_SIGN.join(parts)


def vi(
    value: Number | None,
    decimals: int | None = None,
    *,
    trim: bool = False,
    signed: bool = False,
    group: bool = True,
    missing: str = MISSING,
) -> str:
    """A number as a Vietnamese reader reads it.

    `decimals`: round half up to that many places (`vi(Decimal("2.5"), 0)` is "3"); without, the
    places the value holds (45.50 stays "45,50"). `trim` drops trailing zeros after that (like
    floatformat's negative argument). `signed` puts "+" before a positive change."""
    if value is None:
        return missing
    number = Decimal(value) if isinstance(value, int) else value
    if decimals is not None:
        number = _rounded(number, decimals)
    text = format(number, "f")
    if not trim and not signed and text[0] != "-" and len(text.partition(".")[0]) <= 3:
        return text.replace(".", DECIMAL_SIGN)  # most scores: nothing to group or sign
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    negative = text.startswith("-")
    whole, _, part = text.lstrip("-").partition(".")
    if negative and not whole.strip("0") and not part.strip("0"):
        negative = False  # -0,00 reads 0,00
    body = _grouped(whole) if group else whole
    if part:
        body += DECIMAL_SIGN + part
    sign = "-" if negative else ("+" if signed and number > 0 else "")
    return sign + body


def vi_input(value: Decimal | None, *, integer: bool) -> str:
    """The text an input box shows for a stored value, read back to the same value."""
    if value is None:
        return ""
    text = vi(value, trim=True)
    if not integer and DECIMAL_SIGN not in text:
        return vi(value, trim=True, group=False)
    return text
