"""Reading numbers: as people type them in Vietnamese, as machines send them, as cells hold them.

Three notations, one set of limits:

- `Notation.VI`, what a person types in a form or an Excel text cell: a dot groups thousands and a
  comma starts the decimals (`1.234,5`). Babel's strict `vi` parser decides what is well written;
  on top of it, a text that two readings fit is refused with both, never guessed: `1.234` for a
  decimal input (one thousand two hundred thirty-four, or one point two three four), `1,000` for a
  count (one, or one thousand written the English way).
- `Notation.PLAIN`, what the API takes and what the database stores: digits, an optional dot and
  decimals (`1234.5`). Nothing else: no grouping, no comma, no exponent; a count takes digits
  only (`1000`, never `1.000`).
- `Notation.WORKBOOK`, the assessment workbook's contract: a dot decimal, or a comma as the decimal
  separator of a number that has no dot (`860,69`); spaces may group thousands.

Every notation refuses more than `MAX_WHOLE_DIGITS` digits before the decimal separator or more
than `MAX_FRACTION_DIGITS` after it, and never reads an exponent, so no text can make a value of a
million digits or a `decimal.Overflow` later on.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from babel.numbers import NumberFormatError, parse_decimal

LOCALE = "vi"
MAX_WHOLE_DIGITS = 15  # up to 999.999.999.999.999 (a budget in đồng fits)
MAX_FRACTION_DIGITS = 15  # a spreadsheet's double carries no more than 15 significant digits
MAX_TEXT = 64  # no well-written number within the limits is longer, separators included
# Excel, Word and phones put these in numbers: minus signs, and spaces that group thousands.
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_VI_CHARS = re.compile(r"[+-]?[0-9.,]*[0-9][0-9.,]*")
_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_WORKBOOK_COMMA = re.compile(r"-?[0-9]+,[0-9]+")
_THOUSANDS_OR_DECIMAL = re.compile(r"[+-]?[0-9]{1,3}[.,][0-9]{3}")
_FAST = re.compile(rf"-?[0-9]{{1,{MAX_WHOLE_DIGITS}}}(?:\.[0-9]{{1,{MAX_FRACTION_DIGITS}}})?\Z")


class Notation(StrEnum):
    VI = "vi"
    PLAIN = "plain"
    WORKBOOK = "workbook"


class NumberError(ValueError):
    """A text that is not a number of the expected kind. `code` says why; `readings` holds the
    values the text could have meant (a malformed or ambiguous text), for the message to show.
    str() is an English sentence (the workbook's and the command line's language); the web and
    the API build their Vietnamese message from `code`, `text` and `readings`."""

    ENGLISH = {
        "empty": "no number given",
        "invalid": "'{text}' is not a number",
        "plain": "'{text}' is not a decimal number written with a dot (e.g. 1234.5)",
        "malformed": "'{text}' is not a properly written number",
        "ambiguous": "'{text}' could mean more than one number",
        "not_whole": "'{text}' is not a whole number",
        "too_large": f"'{{text}}' has more than {MAX_WHOLE_DIGITS} digits before the decimal point",
        "too_precise": f"'{{text}}' has more than {MAX_FRACTION_DIGITS} digits after the decimal point",
    }

    def __init__(self, code: str, text: str, readings: tuple[Decimal, ...] = ()) -> None:
        self.code = code
        self.text = text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
        self.readings = readings
        message = self.ENGLISH[code].format(text=self.text)
        if readings:
            message += " (" + " or ".join(_plain_text(r) for r in readings) + "?)"
        super().__init__(message)


def _plain_text(value: Decimal) -> str:
    # The readings in an English message: plain dot decimals (the text module formats for people).
    return format(value.normalize(), "f") if value else "0"


def _clean(text: str, percent: bool) -> str:
    cleaned = unicodedata.normalize("NFKC", text).translate(_MINUS).strip()
    if percent and cleaned.endswith("%"):
        cleaned = cleaned[:-1].strip()
    return cleaned


def check_size(value: Decimal, text: str | None = None) -> Decimal:
    """The value itself when it is finite and within the digit limits; NumberError otherwise."""
    shown = format(value) if text is None else text
    if not value.is_finite():
        raise NumberError("invalid", shown)
    if value.is_zero():
        return value
    if value.adjusted() >= MAX_WHOLE_DIGITS:
        raise NumberError("too_large", shown)
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > MAX_FRACTION_DIGITS:
        raise NumberError("too_precise", shown)
    return value


def _whole(value: Decimal, text: str, integer: bool) -> Decimal:
    check_size(value, text)
    if integer and value != value.to_integral_value():
        raise NumberError("not_whole", text)
    return value


def _vi(cleaned: str, text: str, integer: bool) -> Decimal:
    # A space may group thousands (1 234,5): read it as the dot Vietnamese writes, then let the
    # strict parser judge the grouping.
    spaced = bool(_SPACES.search(cleaned))
    if spaced:
        if "." in cleaned:
            raise NumberError("invalid", text)
        cleaned = _SPACES.sub(".", cleaned)
    if not _VI_CHARS.fullmatch(cleaned):
        raise NumberError("invalid", text)
    try:
        value = parse_decimal(cleaned, locale=LOCALE, strict=True)
    except NumberFormatError as error:
        readings = tuple(
            parse_decimal(s, locale=LOCALE) for s in getattr(error, "suggestions", None) or ()
        )
        raise NumberError("malformed" if readings else "invalid", text, readings) from None
    except InvalidOperation:  # pragma: no cover - the character check admits digits only
        raise NumberError("invalid", text) from None
    if not spaced and _THOUSANDS_OR_DECIMAL.fullmatch(cleaned):
        # One separator followed by three digits: grouped thousands, or three decimals.
        whole, part = re.split("[.,]", cleaned)
        grouped, decimal = Decimal(whole + part), Decimal(whole + "." + part)
        if "." in cleaned and not integer:
            raise NumberError("ambiguous", text, (grouped, decimal))
        if "," in cleaned and integer:
            raise NumberError("ambiguous", text, (decimal, grouped))
    return value


def parse(
    text: str,
    *,
    integer: bool = False,
    percent: bool = False,
    notation: Notation = Notation.VI,
) -> Decimal:
    """The number a text holds, for an input of the given kind; NumberError otherwise.

    `integer` is a count (no decimals, `1.000` is a thousand); `percent` also takes a trailing
    `%`. Bounds (percent 0–100, counts not negative) are the caller's: they come with the input.
    """
    if notation != Notation.VI and _FAST.match(text) and not (integer and "." in text):
        # The common case of machine text (stored values, workbook cells): the pattern itself
        # bounds the digits, so nothing else needs checking.
        return Decimal(text)
    cleaned = _clean(text, percent)
    if not cleaned:
        raise NumberError("empty", text)
    if len(cleaned) > MAX_TEXT:
        raise NumberError("too_large" if _VI_CHARS.fullmatch(cleaned) else "invalid", text)
    if notation == Notation.WORKBOOK:
        cleaned = _SPACES.sub("", cleaned)  # spreadsheets group thousands with spaces
    if notation == Notation.VI:
        value = _vi(cleaned, text, integer)
    elif _PLAIN.fullmatch(cleaned):
        if integer and notation == Notation.PLAIN and "." in cleaned:
            # A count takes digits only: "1.000" from an integrator who meant a thousand is
            # refused rather than read as one.
            raise NumberError("not_whole", text)
        value = Decimal(cleaned)
    elif notation == Notation.WORKBOOK and _WORKBOOK_COMMA.fullmatch(cleaned):
        value = Decimal(cleaned.replace(",", "."))
    else:
        raise NumberError("plain" if notation == Notation.PLAIN else "invalid", text)
    return _whole(value, text, integer)


def from_cell(value: int | float | Decimal, *, integer: bool = False) -> Decimal:
    """A number a spreadsheet cell holds natively. A float is read by its first 15 significant
    digits, all a spreadsheet keeps (0.1 + 0.2 is 0.3, not 0.30000000000000004)."""
    if isinstance(value, bool):
        raise NumberError("invalid", str(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberError("invalid", repr(value))
        number = Decimal(format(value, ".15g"))
    else:
        number = Decimal(value)
    text = format(number.normalize(), "f") if number.is_finite() else str(number)
    return _whole(number, text if len(text) <= MAX_TEXT else repr(value), integer)
