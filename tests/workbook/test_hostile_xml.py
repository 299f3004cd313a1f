"""No XLSX parser expands hostile XML: openpyxl runs on defusedxml, so a workbook carrying an
entity-expansion bomb ("billion laughs") is refused as unreadable instead of eating memory."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.xml import DEFUSEDXML

from opendti.workbook.errors import WorkbookError
from opendti.workbook.sheets import read_workbook

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    )
    + "]>"
)


def test_openpyxl_uses_defusedxml() -> None:
    assert DEFUSEDXML is True


def _hostile_copy(clean: Path, hostile: Path) -> None:
    with zipfile.ZipFile(clean) as source, zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode()
                body = text[text.index("<workbook") :]
                data = (LAUGHS + body.replace("<sheets>", "<sheets>&lol9;", 1)).encode()
            target.writestr(item, data)


def test_an_entity_bomb_in_a_workbook_is_refused(tmp_path: Path) -> None:
    clean = tmp_path / "clean.xlsx"
    book = Workbook()
    book.active.title = "settings"
    book.active.append(["key", "value"])
    book.save(clean)
    hostile = tmp_path / "hostile.xlsx"
    _hostile_copy(clean, hostile)
    with pytest.raises(WorkbookError) as refused:
        read_workbook(hostile)
    assert "not a readable XLSX file" in str(refused.value)
    assert read_workbook(clean)["settings"].rows == []  # the same file without the bomb reads


def test_the_refusal_is_defusedxml_forbidding_entities(tmp_path: Path) -> None:
    from defusedxml import EntitiesForbidden
    from defusedxml.ElementTree import fromstring

    clean = tmp_path / "clean.xlsx"
    Workbook().save(clean)
    hostile = tmp_path / "hostile.xlsx"
    _hostile_copy(clean, hostile)
    with zipfile.ZipFile(hostile) as archive, pytest.raises(EntitiesForbidden):
        fromstring(archive.read("xl/workbook.xml"))
