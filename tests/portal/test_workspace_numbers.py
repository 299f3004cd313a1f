"""Numbers typed in the workspace: the indicator's form reads them in Vietnamese (a count's 1.000
is a thousand, a decimal's 12,5 is twelve and a half), refuses what two readings fit with both
shown, refuses values outside their bounds naming the input, and shows stored values back in the
same notation so that saving again changes nothing."""

from __future__ import annotations

import re

import pytest

from opendti.assessments.models import Answer, Change, InputValue
from opendti.results.demo import OPEN_PERIOD

from .test_workspace import HX, WORKSPACE, client_as, demo

__all__ = ["demo"]

pytestmark = pytest.mark.django_db


def save(code: str, values: dict[str, str]):
    answer = Answer.objects.filter(
        node__code=code, submission__participation__unit__code="xa-hoa-binh"
    ).first()
    data = {"version": str(answer.version if answer else 0)}
    data.update({f"v-{code}-{name}": value for name, value in values.items()})
    return client_as("daumoi").post(WORKSPACE + f"chi-so/{code}/luu/", data, **HX)


def stored(code: str) -> dict[str, str]:
    return dict(
        InputValue.objects.filter(
            node__code=code,
            submission__participation__unit__code="xa-hoa-binh",
            submission__participation__period__code=OPEN_PERIOD,
        ).values_list("input_name", "value")
    )


def box(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" id="[^"]*" value="([^"]*)"', html)
    assert found, name
    return found[1]


def test_a_count_reads_its_thousands_and_a_decimal_its_comma(demo) -> None:
    response = save("2.2", {"numerator": "1.000", "denominator": "1.500"})
    assert response.status_code == 200, response.content.decode()
    assert stored("2.2") == {"numerator": "1000", "denominator": "1500"}
    # The card shows them back as typed: saving again changes nothing.
    html = response.content.decode()
    assert box(html, "v-2.2-numerator") == "1.000"
    assert save("4.1", {"": "12,5"}).status_code == 200
    assert stored("4.1") == {"": "12.5"}
    assert save("1.2", {"": "1.234,5"}).status_code == 200
    assert stored("1.2") == {"": "1234.5"}
    changes = Change.objects.count()
    assert save("2.2", {"numerator": "1.000", "denominator": "1.500"}).status_code == 200
    assert (
        save("4.1", {"": box(save("4.1", {"": "12,5"}).content.decode(), "v-4.1-")}).status_code
        == 200
    )
    assert Change.objects.count() == changes


@pytest.mark.parametrize(
    ("code", "values", "says"),
    [
        ("1.2", {"": "1.234"}, "có hai cách hiểu: 1234 hoặc 1,234"),
        ("1.2", {"": "12.5"}, "Có phải là 125 hay 12,5?"),
        ("2.2", {"numerator": "12,5", "denominator": "40"}, "không phải là số nguyên"),
        ("2.2", {"numerator": "-3", "denominator": "200"}, "không được là số âm (đã nhập -3)"),
        ("2.2", {"numerator": "1.500", "denominator": "1.234"}, "(1.500) lớn hơn"),
        ("4.1", {"": "150"}, "tỷ lệ phải từ 0% đến 100% (đã nhập 150%)"),
        ("4.1", {"": "1e999999"}, "không phải là số"),
        ("4.1", {"": "1e1000000"}, "không phải là số"),
    ],
)
def test_what_cannot_be_read_is_refused_in_place(demo, code, values, says) -> None:
    response = save(code, values)
    html = response.content.decode()
    assert response.status_code == 422
    assert says in html
    assert stored(code) == {}
    # The boxes keep what was typed, the refused one marked for screen readers too.
    typed = next(v for v in values.values() if v)
    assert f'value="{typed}" inputmode=' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize("hostile", ["1e999999", "1e1000000"])
def test_hostile_exponents_in_the_preview_are_refused_in_place(demo, hostile) -> None:
    """The preview gave a 500 (decimal.Overflow) for `1e1000000` (issue 14): it answers with the
    reason, stores nothing and repeats no million-character value."""
    preview = WORKSPACE + "chi-so/4.1/xem-truoc/"
    response = client_as("daumoi").post(preview, {"v-4.1-": hostile}, **HX)
    assert response.status_code in (200, 422)
    html = response.content.decode()
    assert "không phải là số" in html
    assert len(html) < 100_000
    assert not InputValue.objects.filter(submission__participation__period__code=OPEN_PERIOD)


def test_the_preview_reads_as_the_save_does(demo) -> None:
    preview = WORKSPACE + "chi-so/2.2/xem-truoc/"
    focal = client_as("daumoi")
    ok = focal.post(preview, {"v-2.2-numerator": "1.000", "v-2.2-denominator": "1.500"}, **HX)
    refused = focal.post(preview, {"v-2.2-numerator": "1.500", "v-2.2-denominator": "1.000"}, **HX)
    assert "<li>" not in ok.content.decode().split('id="preview-errors-', 1)[1]
    assert "(1.500) lớn hơn" in refused.content.decode()
    assert not InputValue.objects.filter(submission__participation__period__code=OPEN_PERIOD)


def test_the_history_shows_numbers_as_the_pages_write_them(demo) -> None:
    save("2.2", {"numerator": "1.000", "denominator": "1.500"})
    save("2.2", {"numerator": "1.200", "denominator": "1.500"})
    html = client_as("daumoi").get(WORKSPACE + "chi-so/2.2/lich-su/").content.decode()
    assert '<td class="name">1.000</td><td class="name">1.200</td>' in html
