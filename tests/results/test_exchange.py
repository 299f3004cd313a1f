"""Workbook import/export through the database: all or nothing, and a round trip that loses nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from opendti.assessments.models import GivenScore, InputValue
from opendti.frameworks.models import Framework, Node
from opendti.periods.models import Period
from opendti.results.exchange import PeriodExists, period_export_workbook, period_import_workbook
from opendti.results.selectors import period_assessment
from opendti.units.models import Lineage
from opendti.workbook import WorkbookError, parse_workbook, read_workbook

pytestmark = pytest.mark.django_db

FOLDERS = [
    "daknong-2023-departments",
    "daknong-2023-districts",
    "synthetic-2025-communes",
    "national-2022-provinces",
]


@pytest.mark.parametrize("folder", FOLDERS)
@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_round_trip_loses_nothing(
    workbooks: Path, tmp_path: Path, folder: str, suffix: str
) -> None:
    original = parse_workbook(read_workbook(workbooks / folder))
    period = period_import_workbook(path=workbooks / folder, code="first")
    target = tmp_path / f"export{suffix}"
    period_export_workbook(period=period, path=target)

    exported = parse_workbook(read_workbook(target))
    assert exported.assessment == original.assessment
    assert exported.predecessors == original.predecessors

    again = period_import_workbook(path=target, code="second")
    assert period_assessment(again)[0] == original.assessment
    # A framework is never changed under a period: importing again makes a new version.
    assert Framework.objects.filter(code=period.framework.code).count() == 2


def test_extra_columns_survive(workbooks: Path, tmp_path: Path) -> None:
    period = period_import_workbook(path=workbooks / "synthetic-2025-communes", code="s")
    node = Node.objects.get(framework=period.framework, code="6.1")
    assert (node.source, node.verifier) == ("auto", "Cổng dịch vụ công tỉnh")
    assert list(period.not_deployed.values_list("code", flat=True)) == ["6.4"]
    assert Lineage.objects.filter(successor__code="xa-tan-lap").count() == 2
    period_export_workbook(period=period, path=tmp_path / "out")
    raw = read_workbook(tmp_path / "out")
    row = next(r for r in raw["framework"].rows if r["code"] == "8.2")
    assert row["applies_to"] == "phuong"
    assert next(r for r in raw["units"].rows if r["code"] == "xa-quang-son")["ranked"] == "no"


def test_invalid_workbook_changes_nothing(workbooks: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(workbooks / "synthetic-2025-communes", broken)
    values = (broken / "values.csv").read_text(encoding="utf-8").splitlines()
    values[5] = values[5].rsplit(",", 1)[0] + ",nhiều"
    (broken / "values.csv").write_text("\n".join(values) + "\n", encoding="utf-8")

    with pytest.raises(WorkbookError) as error:
        period_import_workbook(path=broken, code="broken")
    assert error.value.errors[0].sheet == "values"
    assert error.value.errors[0].row == 6
    assert error.value.errors[0].column == "value"
    assert Period.objects.count() == 0
    assert Framework.objects.count() == 0
    assert InputValue.objects.count() == 0


def test_same_code_is_refused_unless_replaced(workbooks: Path) -> None:
    period_import_workbook(path=workbooks / "daknong-2023-districts", code="dn")
    with pytest.raises(PeriodExists):
        period_import_workbook(path=workbooks / "daknong-2023-districts", code="dn")
    period_import_workbook(path=workbooks / "daknong-2023-districts", code="dn", replace=True)
    assert Period.objects.filter(code="dn").count() == 1
    assert (
        GivenScore.objects.filter(submission__participation__period__code="dn").count()
        == 8 * 8 + 8 + 3 * 8
    )
