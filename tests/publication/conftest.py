"""Fixtures for publication: the base demo with a period taken through the process by the
services (appraisal → reply → approval → approved → published), and readers of the public pages
and the API that return numbers, not markup."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client

from opendti.accounts.models import User
from opendti.periods.models import Period
from opendti.periods.workflow import period_advance
from opendti.publication import pages, seal
from opendti.publication.services import approve, publish
from opendti.results import source as results_source
from opendti.results.demo import demo_load

PERIOD = "2025-communes"  # every rule type, input values, two ranking groups
UNIT = "xa-hoa-binh"
DECISION = ("15/QĐ-UBND", datetime.date(2026, 3, 2), "Chủ tịch UBND tỉnh")


@pytest.fixture
def people(db) -> SimpleNamespace:
    """The base demo (every period in self-assessment) and its users by username."""
    demo_load()
    return SimpleNamespace(**{u.username: u for u in User.objects.all()})


def advance(period: Period, people: SimpleNamespace, to: str) -> None:
    """Take the period one step further through the services, as the people would."""
    if to == Period.Status.APPROVED:
        number, date, signer = DECISION
        approve(
            period=period,
            actor=people.pheduyet,
            decision_number=number,
            decision_date=date,
            signer=signer,
        )
    elif to == Period.Status.PUBLISHED:
        publish(period=period, actor=people.dieuphoi)
    else:
        period_advance(period=period, to=to, actor=people.dieuphoi, reason="kiểm thử")


STEPS = [
    Period.Status.APPRAISAL,
    Period.Status.REPLY,
    Period.Status.APPROVAL,
    Period.Status.APPROVED,
    Period.Status.PUBLISHED,
]


def take_to(code: str, people: SimpleNamespace, status: str) -> Period:
    period = Period.objects.get(code=code)
    for step in STEPS[: STEPS.index(status) + 1]:
        advance(period, people, step)
    period.refresh_from_db()
    return period


def forget_cached_results() -> None:
    """As a new server process: the snapshot's results are computed again from its rows."""
    results_source.clear_process_cache()
    seal.forget_checks()
    pages.forget_bodies()


def number(text: str) -> Decimal:
    """A number as the Vietnamese pages print it: 1.234,5 -> 1234.5."""
    return Decimal(text.replace(".", "").replace(",", "."))


ROW = re.compile(r'<tr data-unit="([^"]+)">(.*?)</tr>', re.S)


def ranking(client: Client, code: str) -> dict[str, tuple[str, Decimal, str]]:
    """unit -> (rank, total, band) as the ranking page shows them."""
    response = client.get(f"/ky/{code}/ket-qua/")
    assert response.status_code == 200
    table = response.content.decode().split('<table id="ranking"', 1)[1].split("</table>", 1)[0]
    found = {}
    for unit, row in ROW.findall(table):
        rank = re.search(r"<td>([^<]*)</td>", row)
        score = re.search(r'<td class="score">([^<]*)</td>', row)
        band = re.search(r'<span class="badge">([^<]*)</span>', row)
        assert rank and score and band, row
        found[unit] = (rank[1], number(score[1]), band[1])
    assert found
    return found


def api_results(client: Client, code: str) -> dict[str, tuple[int | None, str, str]]:
    """unit -> (rank, total, band) as the API gives them."""
    response = client.get(f"/api/v1/periods/{code}/results/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    return {u["unit"]: (u["rank"], u["total"], u["band"]) for u in body["results"]}
