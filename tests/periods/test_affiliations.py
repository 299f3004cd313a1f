"""A unit's people over time: a move closes the old place, takes the old unit's data away from
the person and opens the new one; a locked account ends its sessions; all of it audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from opendti.accounts.models import User
from opendti.accounts.roles import FOCAL_POINT, UNIT_LEADER
from opendti.accounts.services import account_deactivate
from opendti.audit.models import AuditEvent
from opendti.periods.affiliations import affiliation_move, affiliation_start, current_affiliation
from opendti.periods.models import Membership, Participation, Period
from opendti.results.demo import OPEN_PERIOD, demo_load
from opendti.units.models import Affiliation, Unit
from tests.login import login

WORKSPACE = "/ky/{period}/don-vi/{unit}/"


@pytest.fixture
def world(db):
    demo_load()
    return User.objects.get(username="dieuphoi"), User.objects.get(username="daumoi")


def test_a_move_takes_the_old_units_data_away_and_gives_the_new(world) -> None:
    coordinator, daumoi = world
    affiliation_start(
        user=daumoi, unit=Unit.objects.get(code="xa-hoa-binh"), role="focal_point",
        actor=coordinator,
    )  # fmt: skip
    client = login(Client(), daumoi)
    old = WORKSPACE.format(period=OPEN_PERIOD, unit="xa-hoa-binh")
    new = WORKSPACE.format(period=OPEN_PERIOD, unit="xa-tan-lap")
    assert client.get(old).status_code == 200
    assert client.get(new).status_code == 404

    affiliation_move(
        user=daumoi, unit=Unit.objects.get(code="xa-tan-lap"), role="unit_leader",
        actor=coordinator, reason="Điều động công tác",
    )  # fmt: skip
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert not Membership.objects.filter(user=daumoi, participation__unit__code="xa-hoa-binh")
    assert set(
        Membership.objects.filter(user=daumoi).values_list("participation__unit__code", "role")
    ) == {("xa-tan-lap", "unit_leader")}
    # The role follows the place.
    assert set(daumoi.groups.values_list("name", flat=True)) == {UNIT_LEADER}
    # History: the old place closed by whom, the new one open, with the reason.
    places = list(Affiliation.objects.filter(user=daumoi).order_by("started_at", "pk"))
    assert [(p.unit.code, p.role, p.ended_at is None) for p in places] == [
        ("xa-hoa-binh", "focal_point", False),
        ("xa-tan-lap", "unit_leader", True),
    ]
    assert places[0].ended_by == coordinator and places[1].reason == "Điều động công tác"
    assert current_affiliation(daumoi) == places[1]
    moved = AuditEvent.objects.get(kind="membership_changed", detail__moved="affiliation")
    assert moved.actor == coordinator and moved.target == "user:daumoi"
    assert moved.detail["from"] == "xa-hoa-binh" and moved.detail["to"] == "xa-tan-lap"
    removed = AuditEvent.objects.filter(
        kind="membership_changed", target="user:daumoi", detail__removed="membership"
    )
    assert removed.exists()
    assert AuditEvent.objects.filter(
        kind="role_changed", target="user:daumoi", detail__removed=[FOCAL_POINT]
    ).exists()


def test_a_person_without_a_recorded_place_is_moved_from_their_memberships(world) -> None:
    coordinator, daumoi = world
    affiliation_move(
        user=daumoi, unit=Unit.objects.get(code="xa-tan-lap"), role="focal_point",
        actor=coordinator, reason="Chuyển công tác",
    )  # fmt: skip
    moved = AuditEvent.objects.get(kind="membership_changed", detail__moved="affiliation")
    assert moved.detail["from"] == ["xa-hoa-binh"]
    assert Affiliation.objects.filter(user=daumoi).count() == 1


def test_a_unit_joining_a_period_brings_its_current_people(world) -> None:
    coordinator, daumoi = world
    unit = Unit.objects.get(code="ban-dan-toc")
    affiliation_start(user=daumoi, unit=unit, role="focal_point", actor=coordinator)
    period = Period.objects.get(code=OPEN_PERIOD)
    participation = Participation.objects.create(period=period, unit=unit, order=99)
    assert Membership.objects.filter(
        participation=participation, user=daumoi, role="focal_point"
    ).exists()


def test_one_open_place_per_person(world) -> None:
    from django.db import IntegrityError, transaction

    coordinator, daumoi = world
    unit = Unit.objects.get(code="xa-hoa-binh")
    affiliation_start(user=daumoi, unit=unit, role="focal_point", actor=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Affiliation.objects.create(user=daumoi, unit=unit, role="unit_leader")


def test_locking_an_account_ends_its_sessions_and_is_audited(world) -> None:
    coordinator, daumoi = world
    client = login(Client(), daumoi)
    other_browser = login(Client(), daumoi)
    someone_else = login(Client(), User.objects.get(username="lanhdao"))
    page = WORKSPACE.format(period=OPEN_PERIOD, unit="xa-hoa-binh")
    assert client.get(page).status_code == 200
    ended = account_deactivate(user=daumoi, actor=coordinator, reason="Nghỉ hưu")
    assert ended == 2
    daumoi.refresh_from_db()
    assert not daumoi.is_active
    assert "/dang-nhap/" in client.get(page)["Location"]
    assert "/dang-nhap/" in other_browser.get(page)["Location"]
    assert someone_else.get(page).status_code == 200
    event = AuditEvent.objects.get(kind="account_deactivated")
    assert event.actor == coordinator and event.target == "user:daumoi"
    assert event.detail == {"reason": "Nghỉ hưu", "sessions_ended": 2}
    assert AuditEvent.objects.filter(
        kind="role_changed", target="user:daumoi", detail__flags={"is_active": [True, False]}
    ).exists()
    assert Group.objects.get(name=FOCAL_POINT).user_set.filter(pk=daumoi.pk).exists()
