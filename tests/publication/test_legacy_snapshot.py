"""A snapshot approved before issue 11 (engine 1.0.0, bands on the rounded percent) still verifies
and shows what was published.

data/snapshot_engine_1_0_0.json holds the rows and the result document that engine 1.0.0 froze
(commit 871f913, `snapshot_freeze`) for data/legacy_workbook: no band_on setting in its rows, no
percent details, the informational index m3 not given listed among the findings. dv-a (600.01 of
800, 75.00125 %) was published as "Nâng cao" from its rounded 75.00 %; today's default would put it
in "Dẫn dắt". The seal is made again here with this installation's key, as it would have been.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from opendti.accounts.models import User
from opendti.periods.models import Period
from opendti.publication.models import Publication, Snapshot
from opendti.publication.snapshots import canonical, sha256
from opendti.results.exchange import period_import_workbook
from opendti.results.selectors import period_rows
from tests.results.fresh import snapshot_scores

from .conftest import forget_cached_results

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
CODE = "2023-legacy"
DECISION = "12/QĐ-UBND"
# What was published (engine 1.0.0): the band of the total and of each pillar.
PUBLISHED = {
    "dv-a": ("Nâng cao", {"cqs": "Khá", "kts": "Khá"}),
    "dv-b": ("Hình thành", {"cqs": "Tốt", "kts": "Yếu"}),
    "dv-c": ("Khởi động", {"cqs": "Yếu", "kts": "Yếu"}),
    "dv-d": ("Hình thành", {"cqs": "Yếu", "kts": "Khá"}),
}


def seal_of(period_code: str, decision_number: str, rows_sha: str, document_sha: str) -> str:
    """The seal as snapshots were sealed then (version 1: publication.seal)."""
    key = (settings.OPENDTI_SEAL_KEY or settings.SECRET_KEY).encode()
    message = "\n".join([period_code, decision_number, rows_sha, document_sha]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _frozen() -> dict[str, str]:
    return json.loads((DATA / "snapshot_engine_1_0_0.json").read_text(encoding="utf-8"))


@pytest.fixture
def legacy(db) -> Snapshot:
    """The old snapshot, stored as engine 1.0.0 stored it, on a published period."""
    period = period_import_workbook(path=DATA / "legacy_workbook", code=CODE)
    admin = User.objects.create_superuser("quantri", "quantri@example.org", "x")
    frozen = _frozen()
    snapshot = Snapshot.objects.create(
        period=period,
        decision_number=DECISION,
        decision_date=datetime.date(2024, 3, 1),
        signer="Nguyễn Văn A",
        approved_by=admin,
        engine_version=frozen["engine_version"],
        rows=frozen["rows"],
        rows_sha256=frozen["rows_sha256"],
        document=frozen["document"],
        document_sha256=frozen["document_sha256"],
        seal=seal_of(CODE, DECISION, frozen["rows_sha256"], frozen["document_sha256"]),
        seal_version=1,
    )
    Period.objects.filter(pk=period.pk).update(status=Period.Status.PUBLISHED)
    Publication.objects.create(snapshot=snapshot, published_by=admin)
    forget_cached_results()
    return snapshot


def test_the_fixture_is_what_engine_1_0_0_froze() -> None:
    frozen = _frozen()
    assert sha256(frozen["rows"]) == frozen["rows_sha256"]
    assert sha256(frozen["document"]) == frozen["document_sha256"]
    rows, document = json.loads(frozen["rows"]), json.loads(frozen["document"])
    assert all(row["key"] != "band_on" for row in rows["settings"])
    assert document["engine_version"] == "1.0.0" and "band_on" not in document["settings"]
    assert {(f["unit"], f["node"], f["kind"]) for f in document["findings"]} == {
        ("dv-b", "m3", "missing"),
        ("dv-c", "m3", "missing"),
        ("dv-d", "m3", "missing"),
    }


def test_the_old_snapshot_verifies(legacy: Snapshot) -> None:
    out = io.StringIO()
    call_command("verify_snapshot", CODE, stdout=out)
    assert f"{CODE}: khớp" in out.getvalue()


def test_the_old_snapshot_shows_the_bands_it_was_published_with(legacy: Snapshot) -> None:
    scores = snapshot_scores(legacy)
    assert scores.assessment.settings.band_on == "displayed"
    for code, (band, pillars) in PUBLISHED.items():
        unit = scores.result.unit(code)
        assert unit.band == band, code
        assert {p: unit.pillars[p].band for p in pillars} == pillars, code
        assert unit.percent_detail is None  # it was decided on the figure shown
    html = Client().get(f"/ky/{CODE}/ket-qua/").content.decode()
    assert 'id="percent-note"' not in html
    for code, (band, _pillars) in PUBLISHED.items():
        row = html.split(f'<tr data-unit="{code}">', 1)[1].split("</tr>", 1)[0]
        assert f'<span class="badge">{band}</span>' in row, code
    document = Client().get(f"/du-lieu-mo/{CODE}.json").json()
    assert document["period"]["band_on"] == "displayed"
    assert document["snapshot"]["engine_version"] == "1.0.0"
    assert {u["code"]: u["band"] for u in document["units"]} == {
        code: band for code, (band, _p) in PUBLISHED.items()
    }


def test_a_new_approval_of_the_same_inputs_records_exact(legacy: Snapshot) -> None:
    """The live period (default exact) would classify dv-a in the higher band now, and says so
    explicitly in the rows a new snapshot freezes."""
    rows = period_rows(legacy.period)
    assert {"key": "band_on", "value": "exact"} in rows["settings"]


def test_a_change_to_an_old_snapshot_is_still_found(legacy: Snapshot) -> None:
    """Someone with the database and the key rewrites dv-a's band as today's rule would give it,
    and re-hashes and re-seals: the recomputation from the frozen rows still disagrees."""
    document = json.loads(legacy.document)
    assert document["units"][0]["code"] == "dv-a"
    document["units"][0]["band"] = "Dẫn dắt"
    text = canonical(document)
    digest = sha256(text)
    Snapshot.objects.filter(pk=legacy.pk).update(
        document=text,
        document_sha256=digest,
        seal=seal_of(CODE, DECISION, legacy.rows_sha256, digest),
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_snapshot", CODE, stdout=out)
    assert "units[0].band" in out.getvalue()
    assert "Nâng cao" in out.getvalue()


def test_dropping_a_finding_from_an_old_snapshot_is_found(legacy: Snapshot) -> None:
    """The old layout's findings are compared entry by entry, the informational ones included."""
    document = json.loads(legacy.document)
    document["findings"] = document["findings"][1:]
    text = canonical(document)
    digest = sha256(text)
    Snapshot.objects.filter(pk=legacy.pk).update(
        document=text,
        document_sha256=digest,
        seal=seal_of(CODE, DECISION, legacy.rows_sha256, digest),
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_snapshot", CODE, stdout=out)
    assert "findings" in out.getvalue()
