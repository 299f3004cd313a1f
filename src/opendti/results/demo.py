"""Demo data: the Đắk Nông 2023 periods, the national 2022 top five, a synthetic period with
every rule type (and the year before it, on an older framework version, before two communes
merged), and a demo user for each role. Loading twice changes nothing."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Sequence
from pathlib import Path

from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

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
from opendti.accounts.second_factor import confirmed_device, second_factor_required
from opendti.frameworks.models import Node, NodeMapping
from opendti.periods import revision
from opendti.periods.models import Membership, Participation, Period, Phase
from opendti.periods.services import PhasePlan, period_open_next, period_phases_add

from .exchange import period_import_workbook

WORKBOOKS = Path(__file__).resolve().parent.parent / "demo" / "workbooks"
DEMO_PERIODS = {
    "2023-departments": "daknong-2023-departments",
    "2023-districts": "daknong-2023-districts",
    "2022-provinces": "national-2022-provinces",
    "2024-communes": "synthetic-2024-communes",  # before 2025, which names it as its previous
    "2025-communes": "synthetic-2025-communes",
}
# 2025 follows 2024; indicator 7.2 of 2025 was numbered 7.3 in 2024.
YEARS = ("2024-communes", "2025-communes")
DEMO_MAPPINGS = [
    ("7.3", "7.2", True, "Đổi mã 7.3 (năm 2024) thành 7.2; nội dung và cách tính giữ nguyên."),
]
# The period open for self-assessment: the 2025 communes again, a year later, with no data yet.
OPEN_PERIOD = "2026-communes"
OPEN_FROM = "2025-communes"
DEMO_PASSWORD = "OpenDTI-demo-2026"
# The demo's second factor: each demo account whose role needs one has an authenticator app
# enrolled with this published secret (type it into any authenticator app, or compute a code with
# `oathtool --totp -b SECRET`). A demo convenience only: real accounts enrol their own secret.
DEMO_TOTP_SECRET = "J5YGK3SEKRES2ZDFNVXS2VCPKRIC2MRQ"
DEMO_USERS = [
    ("dieuphoi", "Nguyễn Văn Điều Phối", COORDINATOR),
    ("daumoi", "Trần Thị Đầu Mối", FOCAL_POINT),
    ("lanhdao", "Lê Văn Lãnh Đạo", UNIT_LEADER),
    ("thamdinh", "Phạm Thị Thẩm Định", REVIEWER),
    ("pheduyet", "Hoàng Văn Phê Duyệt", APPROVER),
    ("tichhop", "Hệ thống tích hợp", INTEGRATOR),
    ("quantri", "Quản trị hệ thống", ADMINISTRATOR),
    ("daumoi2", "Vũ Thị Đầu Mối Hai", FOCAL_POINT),
    ("lanhdao2", "Đỗ Văn Lãnh Đạo Hai", UNIT_LEADER),
]
# Who works for which unit in the open period: two units, each with a focal point and a leader.
DEMO_MEMBERSHIPS = [
    ("daumoi", "xa-hoa-binh", Membership.Role.FOCAL_POINT),
    ("lanhdao", "xa-hoa-binh", Membership.Role.UNIT_LEADER),
    ("daumoi2", "xa-tan-lap", Membership.Role.FOCAL_POINT),
    ("lanhdao2", "xa-tan-lap", Membership.Role.UNIT_LEADER),
]


Kind = Phase.Kind
# Đắk Nông 2023 (seed 004, "Thời gian thực hiện"): the programme's calendar and the assessed window.
DAKNONG_PERIODS = ("2023-departments", "2023-districts")
DAKNONG_CALENDAR: list[PhasePlan] = [
    (Kind.SELF_ASSESSMENT, None, datetime.date(2024, 1, 2), datetime.date(2024, 1, 15)),
    (Kind.APPRAISAL, 1, datetime.date(2024, 1, 21), datetime.date(2024, 1, 30)),
    (Kind.EXPLANATION, 1, datetime.date(2024, 1, 31), datetime.date(2024, 2, 6)),
    (Kind.APPRAISAL, 2, datetime.date(2024, 2, 19), datetime.date(2024, 2, 21)),
    # "Sở TT&TT rà soát, thống kê số liệu và xây dựng dự thảo báo cáo" (the decision followed).
    (Kind.COORDINATOR_REVIEW, None, datetime.date(2024, 2, 22), datetime.date(2024, 3, 15)),
]
DAKNONG_ASSESSED = (datetime.date(2023, 1, 1), datetime.date(2023, 12, 20))
# The decision that issued Đắk Nông's framework and the national one it rests on, as 401/QĐ-UBND
# cites them (seed 004: "Căn cứ Quyết định số 922/QĐ-BTTTT …; Căn cứ Quyết định số 1552/QĐ-UBND …").
DAKNONG_DECISION = {
    "decision_number": "1552/QĐ-UBND",
    "decision_date": datetime.date(2022, 9, 19),
    "decision_issuer": "UBND tỉnh",
    "national_basis": (
        "Quyết định số 922/QĐ-BTTTT ngày 20 tháng 5 năm 2022 của Bộ trưởng Bộ Thông tin và "
        "Truyền thông phê duyệt Đề án “Xác định Bộ chỉ số đánh giá chuyển đổi số của các bộ, "
        "cơ quan ngang bộ, cơ quan thuộc Chính phủ, các tỉnh, thành phố trực thuộc Trung ương và "
        "của quốc gia”"
    ),
}


def calendar_around(
    today: datetime.date, offsets: Sequence[tuple[str, int | None, int, int]]
) -> list[PhasePlan]:
    """A calendar placed around `today` (offsets in days), so the demo works on any day."""
    return [
        (kind, n, today + datetime.timedelta(days=a), today + datetime.timedelta(days=b))
        for kind, n, a, b in offsets
    ]


# 2026 communes, after its self-assessment (which runs from a week ago for 30 days).
OPEN_CALENDAR = [
    (Kind.APPRAISAL, 1, 33, 42),
    (Kind.EXPLANATION, 1, 43, 49),
    (Kind.APPRAISAL, 2, 50, 54),
    (Kind.REPLY, None, 55, 61),
    (Kind.COORDINATOR_REVIEW, None, 62, 71),
    (Kind.APPROVAL, None, 72, 80),
    (Kind.PUBLICATION, None, 81, 85),
]


def demo_calendar() -> None:
    """The Đắk Nông periods get the seed's phases and assessed window; 2026 its whole calendar."""
    for code in DAKNONG_PERIODS:
        period = Period.objects.get(code=code)
        period_phases_add(period=period, plan=DAKNONG_CALENDAR)
        framework = period.framework
        if not framework.decision_number:
            for field, value in DAKNONG_DECISION.items():
                setattr(framework, field, value)
            framework.save(update_fields=list(DAKNONG_DECISION))
        if period.assessed_from is None:
            period.assessed_from, period.assessed_to = DAKNONG_ASSESSED
            period.save(update_fields=["assessed_from", "assessed_to"])
    period_phases_add(
        period=Period.objects.get(code=OPEN_PERIOD),
        plan=calendar_around(timezone.localdate(), OPEN_CALENDAR),
    )


def demo_second_factor(user: User) -> None:
    """Enrol the demo secret for a demo account whose role needs a second factor."""
    if second_factor_required(user) and confirmed_device(user) is None:
        TOTPDevice.objects.create(
            user=user,
            name="Demo",
            key=base64.b32decode(DEMO_TOTP_SECRET).hex(),
            confirmed=True,
        )


def demo_open_period(*, days_left: int = 30) -> Period:
    """The 2026 commune period, open for self-assessment from a week ago for `days_left` days."""
    existing = Period.objects.filter(code=OPEN_PERIOD).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    period = period_open_next(
        previous=Period.objects.get(code=OPEN_FROM),
        code=OPEN_PERIOD,
        title="DTI cấp xã 2026 (dữ liệu minh họa, đang tự đánh giá)",
        year=2026,
        starts_on=today - datetime.timedelta(days=7),
        ends_on=today + datetime.timedelta(days=days_left),
    )
    return period


def demo_link_years() -> None:
    """2025 names 2024 as its previous period, and the renamed indicator is mapped."""
    earlier, later = (Period.objects.select_related("framework").get(code=c) for c in YEARS)
    for source, target, comparable, note in DEMO_MAPPINGS:
        NodeMapping.objects.get_or_create(
            source=Node.objects.get(framework=earlier.framework, code=source),
            target=Node.objects.get(framework=later.framework, code=target),
            defaults={"comparable": comparable, "note": note},
        )
    if later.previous_id != earlier.pk:
        later.previous = earlier
        later.save(update_fields=["previous"])


@revision.batch()  # one transaction; the periods' revisions raised once, at its end
def demo_load() -> list[tuple[str, str, str]]:
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    for code, folder in DEMO_PERIODS.items():
        if not Period.objects.filter(code=code).exists():
            period_import_workbook(path=WORKBOOKS / folder, code=code)
    demo_link_years()
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
        demo_second_factor(user)
        logins.append((username, DEMO_PASSWORD, str(ROLES[role])))
    period = demo_open_period()
    demo_calendar()
    for username, unit, role in DEMO_MEMBERSHIPS:
        Membership.objects.get_or_create(
            participation=Participation.objects.get(period=period, unit__code=unit),
            user=User.objects.get(username=username),
            role=role,
        )
    return logins
