"""The period's timeline in a real browser: the coordinator sees the phases drawn with today's line
and the table beside them, who is late, and extends a phase with a reason (kept as history); a
unit's focal point sees the calendar with its own deadlines only; the page fits a phone."""

from __future__ import annotations

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from opendti.periods.models import Phase, PhaseExtension

from .conftest import PERIOD, login, shot
from .test_phone import PHONE, WIDER

TIMELINE = f"/ky/{PERIOD}/lich/"


def test_the_coordinator_reads_and_extends_the_calendar(new_context, demo) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Phase.objects.filter(period__code=PERIOD, kind=Phase.Kind.SELF_ASSESSMENT).update(
        starts_on=yesterday - datetime.timedelta(days=30), ends_on=yesterday
    )
    page = new_context().new_page()
    login(page, "dieuphoi", then=TIMELINE)
    chart = page.locator("svg.gantt")
    expect(chart).to_be_visible()
    expect(chart.locator("g.bar")).to_have_count(8)
    expect(chart.locator("g.bar.state-late")).to_have_count(1)  # self-assessment, units late
    expect(page.locator("#timeline-today")).to_have_count(1)
    box = chart.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 200
    rows = page.locator("#timeline-table tbody tr")
    expect(rows).to_have_count(8)
    expect(rows.first).to_have_attribute("data-state", "late")
    expect(page.locator("#late-table tbody tr")).to_have_count(7)  # every unit: none submitted
    shot(page, "42-timeline-coordinator")

    # Extend the self-assessment by a week, with the reason.
    phase = Phase.objects.get(period__code=PERIOD, kind=Phase.Kind.SELF_ASSESSMENT)
    card = page.locator(f"#giai-doan-{phase.pk}")
    card.locator("summary").click()
    later = yesterday + datetime.timedelta(days=7)
    card.locator("input[name=ends_on]").fill(later.isoformat())
    card.locator("input[name=reason]").fill("Nhiều đơn vị đề nghị thêm thời gian")
    card.get_by_role("button", name="Lưu thời gian mới").click()
    expect(page.locator("ul.messages li.success")).to_contain_text(later.strftime("%d/%m/%Y"))
    expect(page.locator(f"#giai-doan-{phase.pk} table.extensions")).to_contain_text(
        "Nhiều đơn vị đề nghị thêm thời gian"
    )
    expect(page.locator("#timeline-table tbody tr").first).to_have_attribute(
        "data-state", "running"
    )
    expect(page.locator("#late-none")).to_be_visible()
    assert PhaseExtension.objects.get().new_ends_on == later


def test_a_unit_sees_its_calendar_on_a_phone(new_context, demo) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Phase.objects.filter(period__code=PERIOD, kind=Phase.Kind.SELF_ASSESSMENT).update(
        starts_on=yesterday - datetime.timedelta(days=30), ends_on=yesterday
    )
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    login(page, "daumoi", then=TIMELINE)
    expect(page.locator("svg.gantt")).to_be_visible()
    # Readable on a phone: the picture keeps its size and scrolls in its box.
    box = page.locator("svg.gantt").bounding_box()
    assert box is not None and box["width"] >= 600
    late = page.locator("#late-table tbody tr")
    expect(late).to_have_count(1)
    expect(late).to_have_attribute("data-unit", "xa-hoa-binh")
    expect(page.locator("form.extend-form")).to_have_count(0)
    assert page.evaluate(WIDER) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    shot(page, "43-timeline-unit-phone")
