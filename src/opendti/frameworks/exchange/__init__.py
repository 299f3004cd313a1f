"""Framework exchange: a framework version to an XLSX or JSON file, and a file to a new version.

The file holds the framework alone (no period, no units): the sheets `framework`, `pillars` and
`bands` of the assessment workbook and a `meta` sheet for the framework's identity and decision.
Import checks everything first and reports every error with its place; then it writes a new
version (the highest version of the code + 1), so that no framework in use ever changes. The
format is documented in docs/frameworks.md.
"""

from __future__ import annotations

from pathlib import Path

from ..models import Framework
from .check import framework_check
from .create import framework_create, input_specs
from .files import (
    file_suffix,
    loaded_from_document,
    read_framework_file,
    read_framework_xlsx,
    write_json,
    write_xlsx,
)
from .rows import COLUMNS, META_KEYS, framework_rows

__all__ = [
    "COLUMNS",
    "META_KEYS",
    "framework_check",
    "framework_create",
    "framework_export",
    "framework_import",
    "framework_import_document",
    "framework_rows",
    "input_specs",
    "read_framework_xlsx",
]


def framework_export(*, framework: Framework, path: str | Path) -> None:
    """Write the framework to FILE.xlsx or FILE.json (by the suffix)."""
    path = Path(path)
    rows = framework_rows(framework)
    if file_suffix(path) == ".json":
        write_json(rows, path)
    else:
        write_xlsx(rows, path)


def framework_import(*, path: str | Path, code: str | None = None) -> Framework:
    """Load FILE.xlsx or FILE.json as a new version of the framework `code` (default: the file's
    meta code). Raises WorkbookError with every error, located, and then writes nothing."""
    checked = framework_check(read_framework_file(Path(path)), code=code)
    return framework_create(checked)


def framework_import_document(
    *, document: dict[str, object], source: str, code: str | None = None
) -> Framework:
    """Load a framework file's JSON document already in memory (a filled template) as a new
    version, with exactly the checks of a file; `source` names it in error messages."""
    checked = framework_check(loaded_from_document(document, source), code=code)
    return framework_create(checked)
