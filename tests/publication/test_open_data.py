"""Open data (docs/open-data.md): the CSV and JSON of every published period carry the approved
snapshot's numbers exactly (and, for Đắk Nông 2023, the province's published table), nothing of a
period that is not published exists for anyone, the files are cached by the snapshot's hash and
open to other origins, and only the embed page may be framed by another site."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client

from opendti.accounts.models import User
from opendti.assessments.models import GivenScore, InputValue
from opendti.periods.models import Period
from opendti.publication.demo import APPRAISAL_PERIOD, HISTORY, demo_load_all
from opendti.publication.models import Snapshot
from opendti.publication.open_data import UNIT_COLUMNS
from opendti.scoring.model import PeriodResult
from tests.login import login
from tests.results.fresh import period_score, snapshot_scores

from .conftest import forget_cached_results, take_to

pytestmark = pytest.mark.django_db

PUBLISHED = [code for code, *_rest in HISTORY]
NOT_PUBLISHED = [APPRAISAL_PERIOD, "2026-communes", "khong-co"]
BOM = "\ufeff"


@pytest.fixture
def world(db) -> SimpleNamespace:
    """The demo's process state: four periods published, 2025 in appraisal, 2026 open."""
    demo_load_all()
    forget_cached_results()  # pks repeat across tests: read each snapshot afresh
    coordinator = Client()
    login(coordinator, User.objects.get(username="dieuphoi"))
    return SimpleNamespace(public=Client(), coordinator=coordinator)


def snapshot_of(code: str) -> Snapshot:
    return Snapshot.objects.select_related("period").get(period__code=code)


def result_of(code: str) -> PeriodResult:
    return snapshot_scores(snapshot_of(code)).result


def mains_of(code: str) -> list[str]:
    return [n.code for n in snapshot_scores(snapshot_of(code)).assessment.framework.nodes
            if n.kind == "main"]  # fmt: skip


def read_csv(client: Client, code: str) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get(f"/du-lieu-mo/{code}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="opendti-{code}.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)  # Excel reads UTF-8 only with it
    reader = csv.DictReader(io.StringIO(text[len(BOM) :], newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def read_json(client: Client, code: str) -> dict:
    response = client.get(f"/du-lieu-mo/{code}.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def places(text: str) -> int:
    assert re.fullmatch(r"-?\d+(\.\d+)?", text), text  # a dot, no exponent, no thousands mark
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("code", PUBLISHED)
def test_the_csv_is_the_snapshot(world, code) -> None:
    header, rows = read_csv(world.public, code)
    result = result_of(code)
    mains = mains_of(code)
    decimals = snapshot_scores(snapshot_of(code)).assessment.settings.decimals
    pillars = [p.code for p in snapshot_scores(snapshot_of(code)).assessment.framework.pillars]
    assert header == [
        *UNIT_COLUMNS,
        *mains,
        *(f"{p}_{what}" for p in pillars for what in ("score", "rank")),
    ]
    assert [r["unit_code"] for r in rows] == [
        u.code
        for u in sorted(result.units, key=lambda u: (u.rank is None, u.rank or 0, u.name, u.code))
    ]
    for row in rows:
        unit = result.unit(row["unit_code"])
        assert row["unit_name"] == unit.name and row["ranking_group"] == unit.group
        assert row["ranked"] == ("yes" if unit.ranked else "no")
        assert Decimal(row["total"]) == unit.total
        assert Decimal(row["percent"]) == unit.percent
        assert Decimal(row["max_points"]) == unit.max_points
        assert Decimal(row["index"]) == unit.index
        assert row["band"] == (unit.band or "")
        assert row["rank"] == ("" if unit.rank is None else str(unit.rank))
        assert row["group_rank"] == ("" if unit.group_rank is None else str(unit.group_rank))
        for node in mains:
            score = unit.nodes[node]
            assert row[node] == ("" if score is None else str(Decimal(row[node])))
            assert (Decimal(row[node]) if row[node] else None) == score, (unit.code, node)
        for p in pillars:
            assert Decimal(row[f"{p}_score"]) == unit.pillars[p].score
            assert row[f"{p}_rank"] == str(unit.pillars[p].rank or "")
        # Exact text with the period's decimals (the index has the engine's four).
        for column in ("total", "percent", "max_points", *mains):
            assert not row[column] or places(row[column]) == decimals, (column, row[column])
        assert places(row["index"]) == 4
        # The total is the sum of the main indices shown beside it, exactly.
        shown = sum((Decimal(row[n]) for n in mains if row[n]), Decimal(0))
        assert Decimal(row["total"]) == shown, unit.code


@pytest.mark.parametrize("code", PUBLISHED)
def test_the_json_is_the_snapshot(world, code) -> None:
    document = read_json(world.public, code)
    snapshot = snapshot_of(code)
    scores = snapshot_scores(snapshot)
    result, settings = scores.result, scores.assessment.settings
    assert list(document) == [
        "format_version", "period", "decision", "published_at", "snapshot", "nodes", "pillars",
        "bands", "pillar_bands", "ranking_groups", "units", "averages", "band_counts", "findings", "notes",
        "year_on_year", "targets", "component_levels",
    ]  # fmt: skip
    period = Period.objects.select_related("framework").get(code=code)
    assert document["period"]["code"] == code
    assert document["period"]["title"] == period.title
    assert document["period"]["year"] == period.year
    assert document["period"]["framework_code"] == period.framework.code
    assert document["period"]["framework_version"] == period.framework.version
    assert document["period"]["decimals"] == settings.decimals
    assert document["period"]["band_on"] == settings.band_on == "exact"
    assert document["decision"] == {
        "number": snapshot.decision_number,
        "date": snapshot.decision_date.isoformat(),
        "signer": snapshot.signer,
    }
    assert document["snapshot"] == {
        "rows_sha256": snapshot.rows_sha256,
        "document_sha256": snapshot.document_sha256,
        "engine_version": snapshot.engine_version,
    }
    assert [n["code"] for n in document["nodes"]] == [
        n.code for n in scores.assessment.framework.nodes
    ]
    assert len(document["units"]) == len(result.units)
    for unit in document["units"]:
        expected = result.unit(unit["code"])
        for field in ("total", "percent", "max_points", "index"):
            assert isinstance(unit[field], str)  # exact text, never a binary float
            assert Decimal(unit[field]) == getattr(expected, field), field
        assert unit["band"] == expected.band
        assert unit["percent_detail"] is None is expected.percent_detail  # no demo unit on a bound
        assert unit["rank"] == expected.rank and unit["group_rank"] == expected.group_rank
        assert {
            c: (Decimal(s) if s is not None else None) for c, s in unit["nodes"].items()
        } == dict(expected.nodes)
        for pillar, values in unit["pillars"].items():
            assert Decimal(values["score"]) == expected.pillars[pillar].score
            assert values["rank"] == expected.pillars[pillar].rank
    assert Decimal(document["averages"]["total"]) == result.averages.total
    assert document["band_counts"] == dict(result.band_counts)


def test_daknong_districts_are_the_published_table_3(world, published: Path) -> None:
    """Bảng 3 of decision 401/QĐ-UBND, number for number, but Cư Jút's total: the province
    printed 387.96, 0.09 above the sum of its own main indices; the results use the sum, and the
    JSON lists the finding."""
    with (published / "daknong-2023" / "table3_districts.csv").open(encoding="utf-8") as handle:
        table = [row for row in csv.DictReader(handle) if row["rank"]]
    _header, rows = read_csv(world.public, "2023-districts")
    by_name = {row["unit_name"]: row for row in rows}
    assert set(by_name) == {row["unit"] for row in table}
    mains = [c for c in table[0] if c not in ("rank", "unit", "total", "band")]
    gaps = []
    for expected in table:
        row = by_name[expected["unit"]]
        assert row["rank"] == expected["rank"] and row["band"] == expected["band"]
        for node in mains:
            assert Decimal(row[node]) == Decimal(expected[node]), (expected["unit"], node)
        if Decimal(row["total"]) != Decimal(expected["total"]):
            gaps.append((expected["unit"], Decimal(expected["total"]) - Decimal(row["total"])))
    assert gaps == [("UBND huyện Cư Jút", Decimal("0.09"))]
    findings = read_json(world.public, "2023-districts")["findings"]
    assert {(f["unit"], f["node"], f["found"], f["expected"]) for f in findings} >= {
        ("cu-jut", "TOTAL", "387.96", "387.87")
    }


@pytest.mark.parametrize("who", ["public", "coordinator"])
def test_nothing_unpublished_is_open_data(world, who) -> None:
    client = getattr(world, who)
    for code in NOT_PUBLISHED:
        for url in (
            f"/du-lieu-mo/{code}.csv",
            f"/du-lieu-mo/{code}.json",
            f"/du-lieu-mo/{code}/nhung/",
        ):
            assert client.get(url).status_code == 404, url
    index = client.get("/du-lieu-mo/").content.decode()
    listed = json.loads(client.get("/du-lieu-mo/danh-sach.json").content)["periods"]
    assert [p["code"] for p in listed] == [
        "2025-q1-communes", "2025-q2-communes", "2025-q3-communes", "2025-q4-communes",
        "2024-communes", "2023-departments", "2023-districts", "2022-provinces",
    ]  # fmt: skip
    for code in PUBLISHED:
        assert f'href="/du-lieu-mo/{code}.csv"' in index
    for code in NOT_PUBLISHED:
        assert code not in index


def test_the_list_points_at_working_files(world) -> None:
    response = world.public.get("/du-lieu-mo/danh-sach.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    for entry in json.loads(response.content)["periods"]:
        snapshot = snapshot_of(entry["code"])
        if snapshot.has_decision:
            assert entry["decision"]["number"] == snapshot.decision_number
        else:  # a quarter, published by the coordinator without a decision
            assert entry["decision"] is None and snapshot.period.cadence == "quarterly"
        assert entry["document_sha256"] == snapshot.document_sha256
        for key in ("csv", "json", "embed", "results"):
            assert entry[key].startswith("/")
            assert world.public.get(entry[key]).status_code == 200, entry[key]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_etag_cache_and_cors(world, suffix) -> None:
    url = f"/du-lieu-mo/2023-districts{suffix}"
    etag = f'"{snapshot_of("2023-districts").document_sha256}"'
    first = world.public.get(url)
    assert first["ETag"] == etag
    assert first["Cache-Control"] == "public, max-age=3600"
    assert first["Access-Control-Allow-Origin"] == "*"
    again = world.public.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Access-Control-Allow-Origin"] == "*"
    assert again["Cache-Control"] == "public, max-age=3600"
    other = world.public.get(url, headers={"If-None-Match": '"' + "0" * 64 + '"'})
    assert other.status_code == 200 and other.content == first.content
    # Another period, another snapshot, another tag.
    assert world.public.get(f"/du-lieu-mo/2023-departments{suffix}")["ETag"] != etag
    assert world.public.head(url).status_code == 200
    assert world.public.post(url).status_code == 405


def test_the_list_has_its_own_etag(world) -> None:
    first = world.public.get("/du-lieu-mo/danh-sach.json")
    again = world.public.get("/du-lieu-mo/danh-sach.json", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_only_the_embed_page_may_be_framed(world) -> None:
    embed = world.public.get("/du-lieu-mo/2023-districts/nhung/")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    # No frame-ancestors at all ("*" would refuse a page without a network origin), the rest kept.
    policy = embed["Content-Security-Policy"]
    assert "frame-ancestors" not in policy and "script-src 'self'" in policy
    for url in ("/ky/2023-districts/ket-qua/", "/du-lieu-mo/", "/"):
        answer = world.public.get(url)
        assert answer["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'self'" in answer["Content-Security-Policy"], url
    # Nothing to act on inside the frame: no form, and links leave it.
    html = embed.content.decode()
    assert "<form" not in html
    assert re.findall(r"<a [^>]*>", html) == [
        '<a href="/ky/2023-districts/ket-qua/" target="_blank" rel="noopener">'
    ]


def embedded_chart(client: Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    data = html.split('<script id="embed-ranking-data" type="application/json">', 1)[1]
    return json.loads(data.split("</script>", 1)[0])


def test_the_embed_shows_the_ranking_by_band(world) -> None:
    html = world.public.get("/du-lieu-mo/2023-districts/nhung/").content.decode()
    assert "Nguồn: " in html and "Quyết định số 401/QĐ-UBND ngày 05/04/2024" in html
    assert 'class="chart-table"' in html  # the numbers as a table too
    assert "cdn" not in html.lower()
    chart = embedded_chart(world.public, "/du-lieu-mo/2023-districts/nhung/")
    result = result_of("2023-districts")
    ranked = sorted((u for u in result.units if u.rank), key=lambda u: u.rank)
    assert chart["labels"] == [u.name for u in ranked]
    assert chart["datasets"][0]["values"] == [str(u.total) for u in ranked]
    colours = {item["label"]: item["color"] for item in chart["legend"]}
    assert chart["datasets"][0]["colors"] == [colours[u.band] for u in ranked]
    top = embedded_chart(world.public, "/du-lieu-mo/2023-districts/nhung/?so-luong=3")
    assert top["labels"] == [u.name for u in ranked[:3]] and len(top["table"]["rows"]) == 3
    for junk in ("abc", "0", "-2"):
        url = f"/du-lieu-mo/2023-districts/nhung/?so-luong={junk}"
        assert embedded_chart(world.public, url)["labels"] == chart["labels"]


def test_the_embed_of_one_ranking_group(world) -> None:
    result = result_of("2024-communes")
    chart = embedded_chart(world.public, "/du-lieu-mo/2024-communes/nhung/?nhom=xa")
    in_group = sorted(
        (u for u in result.units if u.group == "xa" and u.group_rank), key=lambda u: u.group_rank
    )
    assert chart["labels"] == [u.name for u in in_group]
    assert [row[0] for row in chart["table"]["rows"]] == [str(u.group_rank) for u in in_group]
    html = world.public.get("/du-lieu-mo/2024-communes/nhung/?nhom=xa").content.decode()
    assert 'href="/ky/2024-communes/ket-qua/?nhom=xa"' in html
    # An unknown group shows the whole ranking.
    whole = embedded_chart(world.public, "/du-lieu-mo/2024-communes/nhung/?nhom=khong-co")
    assert len(whole["labels"]) == len([u for u in result.units if u.rank])


def test_a_later_edit_of_the_live_tables_changes_nothing(world) -> None:
    codes = ["2023-districts", "2024-communes"]
    before = {code: world.public.get(f"/du-lieu-mo/{code}.csv").content for code in codes}
    json_before = world.public.get("/du-lieu-mo/2024-communes.json").content
    live_before = {code: period_score(period=Period.objects.get(code=code))[1] for code in codes}
    InputValue.objects.filter(  # 1.2: a number of sessions, now none anywhere
        submission__participation__period__code__in=codes, node__code="1.2"
    ).update(value="0")
    GivenScore.objects.filter(submission__participation__period__code__in=codes).update(score=1)
    forget_cached_results()  # as a new server process
    for code in codes:
        live = period_score(period=Period.objects.get(code=code))[1]
        assert [u.total for u in live.units] != [u.total for u in live_before[code].units]
        assert world.public.get(f"/du-lieu-mo/{code}.csv").content == before[code], code
    assert world.public.get("/du-lieu-mo/2024-communes.json").content == json_before


def test_published_pages_link_their_open_data(world) -> None:
    html = world.public.get("/ky/2023-districts/ket-qua/").content.decode()
    links = html.split('id="open-data-links"', 1)[1].split("</p>", 1)[0]
    for href in (
        "/du-lieu-mo/2023-districts.csv",
        "/du-lieu-mo/2023-districts.json",
        "/du-lieu-mo/2023-districts/nhung/",
    ):
        assert f'href="{href}"' in links
    assert 'id="open-data-link"' in world.public.get("/").content.decode()
    # What the coordinator reads before publication is not open data: no links to it.
    provisional = world.coordinator.get("/ky/2026-communes/ket-qua/")
    assert provisional.status_code == 200
    assert "open-data-links" not in provisional.content.decode()


def test_the_json_states_the_year_on_year_change(people) -> None:
    """`year_on_year`: per ranking group, the averages of both years and their exact difference,
    the band moves, and the Vietnamese sentences; null for a period without a previous one."""
    forget_cached_results()
    period = Period.objects.select_related("previous").get(code=APPRAISAL_PERIOD)
    assert period.previous is not None
    take_to(period.previous.code, people, Period.Status.PUBLISHED)
    take_to(APPRAISAL_PERIOD, people, Period.Status.PUBLISHED)
    public = Client()
    assert read_json(public, period.previous.code)["year_on_year"] is None
    document = read_json(public, APPRAISAL_PERIOD)
    scores = snapshot_scores(snapshot_of(APPRAISAL_PERIOD))
    assert scores.previous is not None
    block = document["year_on_year"]
    assert block["previous_period"] == period.previous.code
    assert block["groups"]
    for group in block["groups"]:
        code = group["group"]
        now = scores.result.group_averages.get(code, scores.result.averages).total
        before = scores.previous.group_averages.get(code, scores.previous.averages).total
        assert now is not None and before is not None
        assert Decimal(group["average"]) == now
        assert Decimal(group["previous_average"]) == before
        assert Decimal(group["change"]) == now - before
        moved = sum(t["count"] for t in group["transitions"])
        assert moved + len(group["new_units"]) == group["units"]
        first = group["sentences"][0]
        assert first.startswith(f"Điểm trung bình của nhóm {group['name']} ")
        if now != before:
            assert (" tăng " if now > before else " giảm ") in first
