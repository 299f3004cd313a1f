"""The framework file's errors in the reader's language: each known English sentence of the
checker becomes its Vietnamese sentence with the same values; an unknown one is kept."""

from __future__ import annotations

import pytest

from opendti.frameworks.exchange.messages import PATTERNS, message_text


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        ("'nhiều' is not a number", "“nhiều” không phải là số"),
        ("parent '9' is not a code of this framework", "chỉ số cha “9” không có trong bộ chỉ số này"),
        ("the code '1.1' is used twice (first on row 4)", "mã “1.1” bị dùng hai lần (lần đầu ở dòng 4)"),
        ("at most 4 decimal places", "tối đa 4 chữ số thập phân"),
        ("the sheet is missing", "thiếu trang tính này"),
        ("unknown rule 'xyz' (known: a, b)", "quy tắc chấm không có trong danh mục (docs/rules.md)"),
        ("total_max is 1000 but the framework's scored roots sum to 900",
         "thang điểm ghi 1000 nhưng tổng điểm các nhóm gốc là 900"),
        ("something new", "something new"),
    ],
)  # fmt: skip
def test_known_sentences_are_translated(english: str, vietnamese: str) -> None:
    assert message_text(english) == vietnamese


def test_every_template_takes_the_values_its_pattern_finds() -> None:
    for pattern, template in PATTERNS:
        values = {name: "x" for name in pattern.groupindex}
        assert "%(" not in str(template) % values, pattern.pattern
