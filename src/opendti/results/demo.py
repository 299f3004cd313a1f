"""Demo data: the Đắk Nông 2023 periods, the national 2022 top five, a synthetic period with
every rule type, and a demo user for each role. Loading twice changes nothing."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction

from opendti.accounts.models import User
from opendti.accounts.roles import (
    ADMINISTRATOR,
    APPROVER,
    COORDINATOR,
    FOCAL_POINT,
    INTEGRATOR,
    REVIEWER,
    ROLES,
    UNIT_LEADER,
)
from opendti.periods.models import Period

from .exchange import period_import_workbook

WORKBOOKS = Path(__file__).resolve().parent.parent / "demo" / "workbooks"
DEMO_PERIODS = {
    "2023-departments": "daknong-2023-departments",
    "2023-districts": "daknong-2023-districts",
    "2022-provinces": "national-2022-provinces",
    "2025-communes": "synthetic-2025-communes",
}
DEMO_PASSWORD = "OpenDTI-demo-2026"
DEMO_USERS = [
    ("dieuphoi", "Nguyễn Văn Điều Phối", COORDINATOR),
    ("daumoi", "Trần Thị Đầu Mối", FOCAL_POINT),
    ("lanhdao", "Lê Văn Lãnh Đạo", UNIT_LEADER),
    ("thamdinh", "Phạm Thị Thẩm Định", REVIEWER),
    ("pheduyet", "Hoàng Văn Phê Duyệt", APPROVER),
    ("tichhop", "Hệ thống tích hợp", INTEGRATOR),
    ("quantri", "Quản trị hệ thống", ADMINISTRATOR),
]


@transaction.atomic
def demo_load() -> list[tuple[str, str, str]]:
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    for code, folder in DEMO_PERIODS.items():
        if not Period.objects.filter(code=code).exists():
            period_import_workbook(path=WORKBOOKS / folder, code=code)
    logins = []
    for username, full_name, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == ADMINISTRATOR
            user.is_superuser = role == ADMINISTRATOR
            user.save()
        user.groups.add(Group.objects.get(name=role))
        logins.append((username, DEMO_PASSWORD, str(ROLES[role])))
    return logins
