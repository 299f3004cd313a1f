"""Whether a unit's raw inputs are public is the period's choice (docs/open-data.md): by default
the public reads scores, not what units typed, so the public what-if starts empty and never
echoes a stored value; a period that publishes its inputs shows them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from opendti.assessments.models import InputValue
from opendti.numbers import vi
from opendti.periods.models import Period
from tests.login import login

from .conftest import PERIOD, UNIT, forget_cached_results, take_to

pytestmark = pytest.mark.django_db

CARD = f"/ky/{PERIOD}/ket-qua/don-vi/{UNIT}/"
BOX = re.compile(r'<input name="(v-[^"]*)" value="([^"]*)"')


def boxes(client: Client) -> dict[str, str]:
    html = client.get(CARD).content.decode()
    return dict(BOX.findall(html.split('id="mo-phong"', 1)[1]))


def stored(period: Period) -> dict[str, str]:
    return {
        f"v-{code}-{name}": value
        for code, name, value in InputValue.objects.filter(
            submission__participation__period=period,
            submission__participation__unit__code=UNIT,
            node__source="self",
        ).values_list("node__code", "input_name", "value")
    }


def test_the_public_what_if_does_not_show_the_units_inputs_by_default(people) -> None:
    period = take_to(PERIOD, people, Period.Status.PUBLISHED)
    assert period.raw_inputs_public is False  # the default
    shown = boxes(Client())
    assert shown, "the what-if offers boxes to type in"
    assert set(shown.values()) == {""}
    html = Client().get(CARD).content.decode()
    assert 'id="raw-inputs-private"' in html
    # Indicators scored against the other units (6.3, relative) are not offered: typing values
    # there would reveal theirs.
    assert not any(name.startswith("v-6.3-") for name in shown)
    # The coordinator still sees the values the results came from.
    coordinator = Client()
    login(coordinator, people.dieuphoi)
    theirs = boxes(coordinator)
    numeric = {k: v for k, v in stored(period).items() if k in theirs and v[0].isdigit()}
    assert numeric and all(read(theirs[k]) == Decimal(v) for k, v in numeric.items())


def read(box: str) -> Decimal:
    """A box's text as a Vietnamese reader reads it (1.000 is a thousand, 12,5 a decimal)."""
    return Decimal(box.replace(".", "").replace(",", "."))


def test_the_public_what_if_needs_a_whole_indicator_and_echoes_no_stored_value(people) -> None:
    take_to(PERIOD, people, Period.Status.PUBLISHED)
    public = Client()
    partial = public.post(CARD + "mo-phong/", {"v-2.2-numerator": "10"}).content.decode()
    assert "2.2: nhập đủ các đầu vào của chỉ số để mô phỏng." in partial
    whole = public.post(
        CARD + "mo-phong/", {"v-2.2-numerator": "10", "v-2.2-denominator": "1.000"}
    ).content.decode()
    # The typed values, as typed (a count of one thousand reads 1.000), and nothing stored.
    assert ": 10</code>" in whole and ": 1.000</code>" in whole
    assert "→" not in whole


def test_a_period_may_publish_its_inputs(people) -> None:
    period = take_to(PERIOD, people, Period.Status.PUBLISHED)
    Period.objects.filter(pk=period.pk).update(raw_inputs_public=True)
    forget_cached_results()
    shown = boxes(Client())
    values = stored(period)
    assert values["v-1.2-"] and read(shown["v-1.2-"]) == Decimal(values["v-1.2-"])
    assert "v-6.3-" in shown  # every indicator, the relative ones too
    html = Client().post(CARD + "mo-phong/", {"v-1.2-": "6"}).content.decode()
    assert f"1.2 Giá trị: {vi(Decimal(values['v-1.2-']))} → 6" in html
