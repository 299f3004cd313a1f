"""`opendti verify-snapshot`: an intact snapshot passes; a change made directly in the database
(raw SQL, past the application) is found and said where, even when the changer re-hashed it."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from opendti.publication.demo import demo_load_all
from opendti.publication.models import Snapshot
from opendti.publication.snapshots import canonical, sha256
from opendti.scoring import score_period
from opendti.workbook.output import result_document
from opendti.workbook.parse import parse_workbook
from opendti.workbook.sheets import raw_from_rows

pytestmark = pytest.mark.django_db

CODE = "2024-communes"


@pytest.fixture
def frozen(db) -> Snapshot:
    demo_load_all()  # four published periods, each with its snapshot
    return Snapshot.objects.get(period__code=CODE)


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_snapshot", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> tuple[str, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("verify_snapshot", *args, stdout=out)
    return out.getvalue(), str(error.value)


def tamper(snapshot: Snapshot, **columns: str) -> None:
    """UPDATE the row directly, as someone with database access would."""
    assignments = ", ".join(f"{name} = %s" for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE publication_snapshot SET {assignments} WHERE id = %s",
            [*columns.values(), snapshot.pk],
        )


def test_an_intact_snapshot_passes(frozen) -> None:
    out = verify(CODE)
    assert f"{CODE}: khớp ({frozen.rows_sha256[:12]})" in out


def test_all_published_snapshots_pass(frozen) -> None:
    out = verify("--all")
    for code in ("2022-provinces", "2023-departments", "2023-districts", "2024-communes"):
        assert f"{code}: khớp" in out


def test_an_unknown_period_is_refused(frozen) -> None:
    _out, message = refused("khong-co")
    assert "khong-co" in message
    _out, message = refused()
    assert "--all" in message


def test_a_number_changed_in_the_document_is_found(frozen) -> None:
    document = json.loads(frozen.document)
    unit = document["units"][0]
    was = unit["total"]
    unit["total"] = "999.99"
    tamper(frozen, document=canonical(document))
    out, message = refused(CODE)
    assert "1 kỳ" in message
    assert f"{CODE}: " in out and "sai khác" in out
    assert "document_sha256:" in out  # the hash no longer matches the text
    # ... and the recomputed results say which number: the unit's total, stored vs recomputed.
    assert f'units[0].total: đã lưu "999.99", tính lại "{was}"' in out


def test_a_value_changed_in_the_rows_is_found(frozen) -> None:
    rows = json.loads(frozen.rows)
    row = next(r for r in rows["values"] if r["indicator"] == "1.2" and r["value"])
    row["value"] = str(int(row["value"]) + 3)  # three more sessions: +15 points
    tamper(frozen, rows=canonical(rows))
    out, _message = refused(CODE)
    assert "rows_sha256:" in out
    unit = next(
        i for i, u in enumerate(json.loads(frozen.document)["units"]) if u["code"] == row["unit"]
    )
    assert f"units[{unit}].total:" in out and f"units[{unit}].nodes.1.2:" in out


def test_rows_rehashed_without_the_secret_are_caught_by_the_seal(frozen) -> None:
    # The changer edits a value and makes everything consistent that needs no secret: the rows'
    # hash, the results recomputed from the new rows and their hash. Only the seal is left.
    rows = json.loads(frozen.rows)
    row = next(r for r in rows["values"] if r["indicator"] == "1.2" and r["value"])
    row["value"] = str(int(row["value"]) + 3)
    rows_text = canonical(rows)
    assessment = parse_workbook(raw_from_rows(rows)).assessment
    document_text = canonical(result_document(assessment, score_period(assessment)))
    assert document_text != frozen.document
    tamper(
        frozen,
        rows=rows_text,
        rows_sha256=sha256(rows_text),
        document=document_text,
        document_sha256=sha256(document_text),
    )
    out, _message = refused(CODE)
    assert f"{CODE}: 1 sai khác" in out
    assert "  seal: đã lưu " in out
    # The other snapshots are untouched: --all fails for this one only.
    out, message = refused("--all")
    assert "1 kỳ" in message and "2023-districts: khớp" in out
