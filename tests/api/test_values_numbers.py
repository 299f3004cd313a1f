"""Numbers through the API: decimal strings with a dot, read by the same indicator form as the
workspace and the Excel upload — bounds, counts, numerator ≤ denominator, size limits — and
nothing written when refused (issue: the API accepted 150 % and a numerator of −3 over 200)."""

from __future__ import annotations

import pytest

from opendti.assessments.models import Change, InputValue
from opendti.frameworks.models import Node
from opendti.results.demo import OPEN_PERIOD

from .conftest import API, client_for

URL = API + f"periods/{OPEN_PERIOD}/units/xa-hoa-binh/values/"
WHEN = {"measured_at": "2026-03-01T08:30:00+07:00", "source": "Cổng dịch vụ công tỉnh"}


@pytest.fixture
def ratio_token(world, make_token):
    """2.2 (a ratio of two counts) measured automatically, for these tests."""
    Node.objects.filter(framework=world.framework, code="2.2").update(source=Node.Source.AUTO)
    return make_token(indicators=("6.1", "2.2"))


def push(secret: str, indicator: str, values: dict[str, object]):
    return client_for(secret=secret).post(
        URL, {"indicator": indicator, "values": values, **WHEN}, content_type="application/json"
    )


def stored(indicator: str) -> dict[str, str]:
    return dict(InputValue.objects.filter(node__code=indicator).values_list("input_name", "value"))


def written() -> tuple[int, int]:
    return InputValue.objects.count(), Change.objects.count()


def test_counts_and_decimals_as_decimal_strings(ratio_token):
    response = push(ratio_token, "2.2", {"numerator": "1000", "denominator": "1500"})
    assert response.status_code == 200, response.content
    assert stored("2.2") == {"numerator": "1000", "denominator": "1500"}
    assert push(ratio_token, "6.1", {"": "12.5"}).status_code == 200
    assert stored("6.1") == {"": "12.5"}
    # The engine scores what was stored: 1000 of 1500 of 2.2's maximum.
    body = client_for("dieuphoi").get(API + f"periods/{OPEN_PERIOD}/units/xa-hoa-binh/values/")
    rows = {r["indicator"]: r["values"] for r in body.json()["results"]}
    assert rows["2.2"] == {"numerator": "1000", "denominator": "1500"}


@pytest.mark.parametrize(
    ("indicator", "values", "says"),
    [
        # Vietnamese or grouped text is for people; the API takes one notation.
        ("6.1", {"": "12,5"}, "chuỗi số thập phân viết bằng dấu chấm"),
        ("2.2", {"numerator": "1.000", "denominator": "1500"}, "không phải là số nguyên"),
        ("2.2", {"numerator": "1,234", "denominator": "1500"}, "chuỗi số thập phân"),
        # JSON numbers are refused: no float between the integrator and the value.
        ("6.1", {"": 12.5}, "Giá trị phải là chuỗi JSON"),
        ("2.2", {"numerator": 30, "denominator": "40"}, "Giá trị phải là chuỗi JSON"),
        # Bounds: a percent within 0–100, counts not negative, numerator ≤ denominator.
        ("6.1", {"": "150"}, "tỷ lệ phải từ 0% đến 100% (đã nhập 150%)"),
        ("6.1", {"": "-3"}, "tỷ lệ phải từ 0% đến 100%"),
        ("2.2", {"numerator": "-3", "denominator": "200"}, "không được là số âm (đã nhập -3)"),
        ("2.2", {"numerator": "1500", "denominator": "1234"}, "(1.500) lớn hơn"),
        # Hostile sizes: a clear 400, never a million-character value or a 500.
        ("6.1", {"": "1e999999"}, "chuỗi số thập phân"),
        ("6.1", {"": "1e1000000"}, "chuỗi số thập phân"),
        ("6.1", {"": "9" * 900}, "quá lớn"),
        ("6.1", {"": "0." + "1" * 20}, "chữ số thập phân"),
    ],
)
def test_bad_numbers_are_refused_with_the_reason_and_nothing_is_written(
    ratio_token, indicator, values, says
):
    before = written()
    response = push(ratio_token, indicator, values)
    assert response.status_code == 400, response.content
    assert says in str(response.json()), response.json()
    assert written() == before


def test_a_numerator_alone_is_checked_against_the_stored_denominator(ratio_token):
    assert push(ratio_token, "2.2", {"numerator": "30", "denominator": "40"}).status_code == 200
    refused = push(ratio_token, "2.2", {"numerator": "41"})
    assert refused.status_code == 400
    assert "(41) lớn hơn" in str(refused.json()) and "(40)" in str(refused.json())
    assert push(ratio_token, "2.2", {"numerator": "40"}).status_code == 200
    assert stored("2.2") == {"numerator": "40", "denominator": "40"}


def test_a_framework_may_allow_a_numerator_above_its_denominator(world, ratio_token):
    Node.objects.filter(framework=world.framework, code="2.2").update(
        params='{"numerator_above_denominator": true}'
    )
    response = push(ratio_token, "2.2", {"numerator": "150", "denominator": "100"})
    assert response.status_code == 200, response.content


def test_the_schema_documents_decimal_strings(world):
    schema = client_for("dieuphoi").get(API + "schema/?format=json").json()
    values = schema["components"]["schemas"]["ValueWriteRequest"]["properties"]["values"]
    assert "decimal strings with a dot" in values["description"]


@pytest.mark.parametrize("levels", [100_000, 33])
def test_json_nested_too_deep_is_a_400_with_a_message(ratio_token, levels):
    """`[[[[…` 100,000 deep made DRF's parser raise RecursionError (a 500, issue 14); anything
    nested beyond 32 levels is refused with a message, and nothing is written."""
    before = written()
    body = '{"indicator": "6.1", "values": ' + "[" * levels + "]" * levels + "}"
    response = client_for(secret=ratio_token).post(URL, body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert "JSON lồng nhau quá sâu" in response.json()["detail"]
    assert written() == before


def test_json_nested_within_the_limit_is_read_as_before(ratio_token):
    """32 levels parse; the serializer then says what is wrong with the value."""
    body = '{"indicator": "6.1", "values": {"": ' + "[" * 30 + "]" * 30 + "}}"
    response = client_for(secret=ratio_token).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert "lồng nhau" not in str(response.json())
