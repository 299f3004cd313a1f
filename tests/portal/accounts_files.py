"""Excel account lists for the tests, written the way a person would fill the template."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import load_workbook

from opendti.portal.accounts_import import accounts_template


def account_list(rows: Sequence[Sequence[object]], *, header: Sequence[str] | None = None) -> bytes:
    """The downloaded template with `rows` typed under its header (or another header)."""
    book = load_workbook(io.BytesIO(accounts_template()))
    sheet = book.worksheets[0]
    if header is not None:
        for column, text in enumerate(header, start=1):
            sheet.cell(row=1, column=column, value=text)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "danh-sach.xlsx") -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file
