"""Reading an uploaded XLSX within bounds: a small file must not be able to exhaust the server.

A 1.6 MB file can hold a 94 MB sheet (XML compresses well), and loading it whole took a minute
and gigabytes. Here, before openpyxl reads anything, every part of the archive must declare an
unpacked size within `OPENDTI_XLSX_MAX_PART_MB` (Python's zip reader never unpacks more than a
part declares, so the declaration is a bound, not a promise); then the sheet is read row by row
in openpyxl's streaming mode, with caps on rows, columns and cells checked as it goes (the sheet's
own dimension is checked first, but it can lie), and a time limit. Formulas are reported, never
evaluated or silently read as empty.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cells: int
    part_bytes: int
    seconds: float

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            rows=settings.OPENDTI_XLSX_MAX_ROWS,
            columns=settings.OPENDTI_XLSX_MAX_COLUMNS,
            cells=settings.OPENDTI_XLSX_MAX_CELLS,
            part_bytes=settings.OPENDTI_XLSX_MAX_PART_MB * MB,
            seconds=settings.OPENDTI_XLSX_MAX_SECONDS,
        )


@dataclass(frozen=True)
class Cell:
    """One cell as read: its value, and whether the file holds a formula there."""

    value: Any
    formula: bool


def _too_large(message: str) -> ValidationError:
    return ValidationError(
        _("Tệp Excel quá lớn để kiểm tra (%(why)s): hãy dùng mẫu tải từ hệ thống.")
        % {"why": message}
    )


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".replace(".", ",") + " MB"


def open_checked(file: BinaryIO, limits: Limits) -> Workbook:
    """The workbook in streaming mode, once every part's unpacked size is within bounds."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            for entry in archive.infolist():
                if entry.file_size > limits.part_bytes:
                    raise _too_large(
                        _("phần %(part)s giải nén ra %(size)s, tối đa %(limit)s")
                        % {
                            "part": entry.filename,
                            "size": _mb(entry.file_size),
                            "limit": _mb(limits.part_bytes),
                        }
                    )
    except zipfile.BadZipFile:
        raise ValidationError(_("Không đọc được tệp Excel.")) from None
    file.seek(0)
    try:
        return load_workbook(file, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(_("Không đọc được tệp Excel.")) from None


def _declared(sheet) -> tuple[int, int]:
    """Rows and columns the sheet says it has (its <dimension>), or (0, 0) if it says nothing."""
    try:
        dimension = sheet.calculate_dimension()
        _c1, _r1, c2, r2 = range_boundaries(dimension)
    except (ValueError, TypeError):
        return 0, 0
    return r2 or 0, c2 or 0


def sheet_rows(sheet, limits: Limits, *, min_row: int = 1) -> Iterator[tuple[int, list[Cell]]]:
    """(row number, cells) of a read-only sheet, refusing it as soon as it passes a cap."""
    rows, columns = _declared(sheet)
    if rows > limits.rows or columns > limits.columns or rows * columns > limits.cells:
        raise _too_large(
            _("trang tính “%(sheet)s” khai báo %(rows)d dòng × %(columns)d cột")
            % {"sheet": sheet.title, "rows": rows, "columns": columns}
        )
    # openpyxl stops at the declared last row and cuts rows at the declared last column: a wrong
    # dimension would hide data silently. Read what is there; the caps below bound it.
    sheet.reset_dimensions()
    deadline = time.monotonic() + limits.seconds
    cells = 0
    for number, row in enumerate(sheet.iter_rows(min_row=min_row), start=min_row):
        if number > limits.rows:
            raise _too_large(
                _("trang tính “%(sheet)s” có hơn %(limit)d dòng")
                % {"sheet": sheet.title, "limit": limits.rows}
            )
        width = max((c.column for c in row if getattr(c, "value", None) is not None), default=0)
        if width > limits.columns:
            raise _too_large(
                _("trang tính “%(sheet)s” có dữ liệu ở cột %(column)s, ngoài %(limit)d cột")
                % {
                    "sheet": sheet.title,
                    "column": get_column_letter(width),
                    "limit": limits.columns,
                }
            )
        cells += len(row)
        if cells > limits.cells:
            raise _too_large(
                _("trang tính “%(sheet)s” có hơn %(limit)d ô")
                % {"sheet": sheet.title, "limit": limits.cells}
            )
        if time.monotonic() > deadline:
            raise _too_large(_("đọc quá %(seconds)g giây") % {"seconds": limits.seconds})
        yield (
            number,
            [Cell(getattr(c, "value", None), getattr(c, "data_type", None) == "f") for c in row],
        )
