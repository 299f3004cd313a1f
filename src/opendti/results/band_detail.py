"""A percent shown beside its band, everywhere (pages, exports, reports) the same way.

The engine decides a band on the exact share of the max (`scoring.bands`) and rounds the percent
it shows. Where the rounded percent reads into another band than the exact share (75,00 % shown
for 75,00125 %, which is "lớn hơn 75%"; 90,00 % for 89,996 %, which is not "từ 90% trở lên"), the
engine gives `percent_detail`: the percent with just enough decimals to read right. A page, an
export or a report shows that detail in place of the rounded percent, marked with `MARK`, and
prints `note()` under the table, so the reader sees why the band is what it is.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from opendti import numbers

MARK = "*"


def shown(percent: Decimal | None, detail: Decimal | None) -> Decimal | None:
    """The percent to print: the detail where there is one, else the rounded percent."""
    return detail if detail is not None else percent


def index_shown(index: Decimal | None, detail: Decimal | None) -> Decimal | None:
    """The 0–1 index to print: the percent detail over 100 where there is one (0,75001 for
    75,001 %: four decimals would read 0,7500), else the index."""
    return detail.scaleb(-2) if detail is not None else index


def marked(text: str, detail: Decimal | None) -> str:
    """A printed percent or index, with `MARK` where it is a detail."""
    return text + MARK if detail is not None else text


def note() -> str:
    """The sentence printed under a table where a percent carries `MARK`."""
    return _(
        "* Tỷ lệ được ghi thêm chữ số thập phân: làm tròn như các tỷ lệ khác, nó sẽ đọc sang "
        "phía bên kia ngưỡng xếp loại (ví dụ 75,001%, làm tròn là 75,00% nhưng lớn hơn 75%); "
        "mức xếp loại được xác định trên điểm chính xác so với ngưỡng."
    )


def unit_note(name: str, detail: Decimal, percent: Decimal) -> str:
    """One unit's exact figure, for a table that prints the band but not the percent."""
    return _("%(name)s: %(detail)s %% điểm tối đa (làm tròn %(percent)s %%)") % {
        "name": name,
        "detail": _number(detail),
        "percent": _number(percent),
    }


def _number(value: Decimal) -> str:
    """Every decimal the value has, as the pages write numbers (75,001)."""
    return numbers.vi(value)
