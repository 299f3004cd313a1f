"""The one numbers module of the project: every number read from a person, a spreadsheet, the API
or a workbook, and every number written for a reader, goes through here.

Pure Python on Babel (no Django, nothing of ours), so that the engine-side workbook package and the
Django apps share it. Parsing is in `parse`, writing in `text`; docs/numbers.md says which
notation each channel uses.
"""

from .parse import (
    MAX_FRACTION_DIGITS,
    MAX_WHOLE_DIGITS,
    Notation,
    NumberError,
    check_size,
    from_cell,
    parse,
)
from .text import DECIMAL_SIGN, GROUP_SIGN, MISSING, fixed, plain, vi, vi_input

__all__ = [
    "DECIMAL_SIGN",
    "GROUP_SIGN",
    "MAX_FRACTION_DIGITS",
    "MAX_WHOLE_DIGITS",
    "MISSING",
    "Notation",
    "NumberError",
    "check_size",
    "fixed",
    "from_cell",
    "parse",
    "plain",
    "vi",
    "vi_input",
]
