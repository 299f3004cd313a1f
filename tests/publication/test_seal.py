"""The seal is checked whenever a snapshot is served: a published result changed in the database
(even with its hashes recomputed) is refused on every page, file and API answer with a clear page
and an audit event; the seal covers the decision's number, date, signer and the approver; the
snapshots sealed before (version 1) still verify."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from opendti.accounts.models import User
from opendti.audit.models import AuditEvent
from opendti.publication.demo import demo_load_all
from opendti.publication.models import Snapshot
from opendti.publication.seal import seal_message
from opendti.publication.snapshots import canonical, sha256
from opendti.scoring import score_period
from opendti.workbook.output import result_document
from opendti.workbook.parse import parse_workbook
from opendti.workbook.sheets import raw_from_rows
from tests.login import login

from .conftest import forget_cached_results, ranking

pytestmark = pytest.mark.django_db

CODE = "2024-communes"
PUBLIC = [
    f"/ky/{CODE}/ket-qua/",
    f"/ky/{CODE}/ket-qua/don-vi/xa-hoa-binh/",
    f"/du-lieu-mo/{CODE}.csv",
    f"/du-lieu-mo/{CODE}.json",
    f"/du-lieu-mo/{CODE}/nhung/",
]


@pytest.fixture
def frozen(db) -> Snapshot:
    demo_load_all()
    forget_cached_results()
    return Snapshot.objects.select_related("period").get(period__code=CODE)


def tamper(snapshot: Snapshot, **columns) -> None:
    assignments = ", ".join(f"{name} = %s" for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE publication_snapshot SET {assignments} WHERE id = %s",
            [*columns.values(), snapshot.pk],
        )


def rewrite_a_value_and_rehash(snapshot: Snapshot) -> None:
    """The attack: a value changed in the frozen rows, with everything made consistent that needs
    no secret (the rows' hash, the results recomputed and their hash)."""
    rows = json.loads(snapshot.rows)
    row = next(r for r in rows["values"] if r["indicator"] == "1.2" and r["value"])
    row["value"] = str(int(row["value"]) + 6)
    assessment = parse_workbook(raw_from_rows(rows)).assessment
    document = canonical(result_document(assessment, score_period(assessment)))
    rows_text = canonical(rows)
    tamper(
        snapshot,
        rows=rows_text,
        rows_sha256=sha256(rows_text),
        document=document,
        document_sha256=sha256(document),
    )


def refused_everywhere(client: Client) -> None:
    for path in PUBLIC:
        response = client.get(path)
        assert response.status_code == 503, path
        page = response.content.decode()
        assert "không còn khớp với dấu niêm phong" in page, path
    api = client.get(f"/api/v1/periods/{CODE}/results/")
    assert api.status_code == 503
    assert "không khớp với dấu niêm phong" in api.json()["detail"]


def test_a_rehashed_change_to_a_published_result_is_refused_at_once(frozen) -> None:
    public = Client()
    before = ranking(public, CODE)  # served, and its check remembered by this process
    rewrite_a_value_and_rehash(frozen)
    refused_everywhere(public)
    # The staff read the same snapshot: refused to them too, never the changed numbers.
    coordinator = login(Client(), User.objects.get(username="dieuphoi"))
    assert coordinator.get(f"/ky/{CODE}/ket-qua/").status_code == 503
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.SEAL_BROKEN)
    assert events.count() == 1  # once, not once per request
    assert events.get().target == f"period:{CODE}"
    assert set(events.get().detail["differences"]) == {"seal"}
    # The home page and the open-data index leave the period out rather than fail.
    assert public.get("/").status_code == 200
    listing = public.get("/du-lieu-mo/danh-sach.json").json()
    assert CODE not in json.dumps(listing, ensure_ascii=False)
    assert "2023-districts" in json.dumps(listing, ensure_ascii=False)
    # Other periods are served as before.
    assert public.get("/ky/2023-districts/ket-qua/").status_code == 200
    assert before  # what was served before the change was the approved result


def test_a_changed_text_under_unchanged_hashes_is_caught_when_read(frozen) -> None:
    public = Client()
    ranking(public, CODE)
    rows = json.loads(frozen.rows)
    rows["units"][0]["name"] = "Đơn vị khác"
    tamper(frozen, rows=canonical(rows))  # the stored hash now disagrees with the text
    forget_cached_results()  # a new process reads the row again
    refused_everywhere(public)


@pytest.mark.parametrize(
    "column",
    ["decision_number", "decision_date", "signer", "approved_by_id"],
)
def test_the_seal_covers_the_decision_and_the_approver(frozen, column) -> None:
    other = User.objects.get(username="dieuphoi")
    value = {
        "decision_number": "999/QĐ-UBND",
        "decision_date": datetime.date(2030, 1, 1),
        "signer": "Người khác",
        "approved_by_id": other.pk,
    }[column]
    tamper(frozen, **{column: value})
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_snapshot", CODE, stdout=out)
    assert "seal: đã lưu" in out.getvalue()
    assert Client().get(f"/ky/{CODE}/ket-qua/").status_code == 503


def _seal_v1(snapshot: Snapshot) -> str:
    key = (settings.OPENDTI_SEAL_KEY or settings.SECRET_KEY).encode()
    message = "\n".join(
        [snapshot.period.code, snapshot.decision_number, snapshot.rows_sha256,
         snapshot.document_sha256]
    ).encode()  # fmt: skip
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def test_snapshots_sealed_before_still_verify_under_their_version(frozen) -> None:
    # A snapshot approved before this version: sealed under version 1 (what 0002 migrated).
    tamper(frozen, seal=_seal_v1(frozen), seal_version=1)
    assert seal_message(frozen, version=1).decode().startswith(CODE)
    out = io.StringIO()
    call_command("verify_snapshot", CODE, stdout=out)
    assert f"{CODE}: khớp" in out.getvalue() and "niêm phong phiên bản 1" in out.getvalue()
    assert Client().get(f"/ky/{CODE}/ket-qua/").status_code == 200
    # Version 1 still covers the decision number and the hashes.
    forget_cached_results()
    tamper(frozen, decision_number="999/QĐ-UBND")
    assert Client().get(f"/ky/{CODE}/ket-qua/").status_code == 503


def test_a_version_2_seal_cannot_be_passed_off_as_version_1(frozen) -> None:
    # Downgrading the version so that the signer is no longer covered breaks the seal instead.
    tamper(frozen, seal_version=1, signer="Người khác")
    assert Client().get(f"/ky/{CODE}/ket-qua/").status_code == 503
