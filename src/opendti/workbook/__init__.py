"""The assessment workbook (../shared/product/WORKBOOK.md): read, check, turn into engine input,
and write scores back. XLSX or a folder of CSVs; no Django here.
"""

from .errors import CellError, WorkbookError
from .parse import ParsedWorkbook, parse_workbook
from .sheets import RawWorkbook, read_workbook, write_workbook

__all__ = [
    "CellError",
    "ParsedWorkbook",
    "RawWorkbook",
    "WorkbookError",
    "parse_workbook",
    "read_workbook",
    "write_workbook",
]
