"""The period's `band_on` setting in the database: read from a workbook, written back, frozen with
the inputs, carried to the next period, and shown in the period's form and the API."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.test import Client

from opendti.accounts.models import User
from opendti.periods.models import Period
from opendti.periods.services import period_open_next
from opendti.results.exchange import period_export_workbook, period_import_workbook
from opendti.results.selectors import period_assessment, period_rows
from opendti.workbook import read_workbook
from tests.login import login
from tests.results.fresh import period_score

pytestmark = pytest.mark.django_db

BOUND = Path(__file__).resolve().parents[1] / "publication" / "data" / "legacy_workbook"


def _imported(tmp_path: Path, band_on: str | None, code: str = "nguong") -> Period:
    """The workbook with dv-a at 600.01 of 800 (75.00125 %), with or without a band_on row."""
    folder = tmp_path / f"book-{code}"
    folder.mkdir()
    for source in BOUND.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    if band_on is not None:
        with (folder / "settings.csv").open("a", encoding="utf-8") as handle:
            handle.write(f"band_on,{band_on}\n")
    return period_import_workbook(path=folder, code=code)


@pytest.mark.parametrize(
    ("band_on", "stored", "band"),
    [
        (None, "exact", "Dẫn dắt"),
        ("exact", "exact", "Dẫn dắt"),
        ("displayed", "displayed", "Nâng cao"),
    ],
)
def test_the_workbook_setting_is_the_periods(
    tmp_path: Path, band_on: str | None, stored: str, band: str
) -> None:
    period = _imported(tmp_path, band_on)
    assert period.band_on == stored
    assert {"key": "band_on", "value": stored} in period_rows(period)["settings"]
    assessment, result = period_score(period=period)
    assert assessment.settings.band_on == stored
    assert result.unit("dv-a").band == band
    target = tmp_path / "export.xlsx"
    period_export_workbook(period=period, path=target)
    settings = {row["key"]: row["value"] for row in read_workbook(target)["settings"].rows}
    assert settings["band_on"] == stored


def test_changing_the_setting_changes_the_live_results_and_their_hash(tmp_path: Path) -> None:
    period = _imported(tmp_path, None)
    before, exact_hash = period_assessment(period)
    Period.objects.filter(pk=period.pk).update(band_on=Period.BandOn.DISPLAYED)
    period.refresh_from_db()
    after, displayed_hash = period_assessment(period)
    assert (before.settings.band_on, after.settings.band_on) == ("exact", "displayed")
    assert exact_hash != displayed_hash  # a stored run says which way it was classified
    assert period_score(period=period)[1].unit("dv-a").band == "Nâng cao"


def test_the_next_period_keeps_the_setting(tmp_path: Path) -> None:
    period = _imported(tmp_path, "displayed")
    following = period_open_next(
        previous=period,
        code="nguong-2024",
        title="Kỳ sau",
        year=2024,
        starts_on=datetime.date(2025, 1, 2),
        ends_on=datetime.date(2025, 1, 15),
    )
    assert following.band_on == Period.BandOn.DISPLAYED


def test_the_period_form_offers_the_setting(tmp_path: Path) -> None:
    period = _imported(tmp_path, None)
    client = Client()
    login(client, User.objects.create_superuser("quantri", "q@example.org", "x"))
    url = f"/admin/periods/period/{period.pk}/change/"
    page = client.get(url).content.decode()
    assert '<select name="band_on"' in page
    assert "tỷ lệ % đã làm tròn như công bố" in page
    form = {
        "code": period.code,
        "title": period.title,
        "framework": period.framework_id,
        "year": period.year,
        "label": period.label,
        "cadence": period.cadence,
        "decimals": period.decimals,
        "display": period.display,
        "not_deployed_policy": period.not_deployed_policy,
        "band_on": "displayed",
        "review_rounds": period.review_rounds,
    }
    for prefix in ("groups", "participations", "phases"):
        form |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    # Participations exist: send them back unchanged.
    participations = list(period.participations.all())
    form["participations-TOTAL_FORMS"] = form["participations-INITIAL_FORMS"] = len(participations)
    for i, p in enumerate(participations):
        form |= {
            f"participations-{i}-id": p.pk,
            f"participations-{i}-period": period.pk,
            f"participations-{i}-unit": p.unit_id,
            f"participations-{i}-ranked": "on" if p.ranked else "",
            f"participations-{i}-order": p.order,
        }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    period.refresh_from_db()
    assert period.band_on == "displayed"
    bad = client.post(url, form | {"band_on": "rounded"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    period.refresh_from_db()
    assert period.band_on == "displayed"


def test_the_api_gives_the_setting(tmp_path: Path) -> None:
    _imported(tmp_path, "displayed")
    client = Client()
    login(client, User.objects.create_superuser("quantri", "q@example.org", "x"))
    response = client.get("/api/v1/periods/nguong/")
    assert response.status_code == 200, response.content
    assert response.json()["band_on"] == "displayed"
