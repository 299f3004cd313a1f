"""Errors that name the place: sheet, row, column, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int | None  # the row as the user sees it (header = 1); None for a whole sheet
    column: str  # the column header
    message: str
    letter: str = ""  # the spreadsheet column letter, where known

    def __str__(self) -> str:
        place = self.sheet
        if self.row is not None:
            place += f", row {self.row}"
        if self.column:
            place += f", column {self.letter + ' ' if self.letter else ''}'{self.column}'"
        return f"{place}: {self.message}"


class WorkbookError(ValueError):
    def __init__(self, errors: list[CellError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
