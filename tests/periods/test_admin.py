"""The admin never changes a phase's dates or a running period's cadence behind the history: an
existing phase's dates are read-only there (they move on the timeline, with a reason), and the
cadence is fixed once the period has left self-assessment."""

from __future__ import annotations

import pytest
from django.test import Client

from opendti.accounts.models import User
from opendti.periods.admin import PhaseForm
from opendti.periods.models import Period, Phase
from opendti.publication.demo import demo_load_all
from opendti.results.demo import demo_load

pytestmark = pytest.mark.django_db


def test_an_existing_phases_dates_are_read_only_a_new_ones_are_not():
    demo_load()
    phase = Phase.objects.filter(period__code="2026-communes").first()
    existing = PhaseForm(instance=phase)
    assert all(
        existing.fields[n].disabled for n in ("kind", "round_number", "starts_on", "ends_on")
    )
    new = PhaseForm()
    assert not any(new.fields[n].disabled for n in ("kind", "starts_on", "ends_on"))


def test_the_cadence_is_fixed_once_the_period_has_moved_on():
    demo_load()
    demo_load_all()
    client = Client()
    client.force_login(User.objects.get(username="quantri"))
    moved = Period.objects.get(code="2025-communes")
    html = client.get(f"/admin/periods/period/{moved.pk}/change/").content.decode()
    assert 'name="cadence"' not in html
    open_one = Period.objects.get(code="2026-communes")
    html = client.get(f"/admin/periods/period/{open_one.pk}/change/").content.decode()
    assert 'name="cadence"' in html
