from __future__ import annotations

import pytest
from django.core.management import call_command

from opendti.accounts.models import User
from opendti.accounts.roles import ROLES
from opendti.periods.models import Period

pytestmark = pytest.mark.django_db


def test_demo_loads_periods_and_a_user_per_role_and_is_idempotent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("load_demo")
    call_command("load_demo")
    assert sorted(Period.objects.values_list("code", flat=True)) == [
        "2022-provinces",
        "2023-departments",
        "2023-districts",
        "2025-communes",
    ]
    roles = {g for u in User.objects.all() for g in u.groups.values_list("name", flat=True)}
    assert roles == set(ROLES)
    out = capsys.readouterr().out
    assert "dieuphoi" in out and "OpenDTI-demo-2026" in out
    assert User.objects.count() == len(ROLES)
