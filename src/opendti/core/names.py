"""The usual names of ranking groups and assessed levels, for the codes a workbook gives.

A ranking group (RankingGroup.name) and a level (frameworks.Level.name) each have a name; a
workbook names them by code only (`xa`, `phuong`, `communes`), so an import gives the usual codes
their Vietnamese names from here, and a code nobody named keeps its code as its name until the
coordinator names it. The names are the province's own words (as unit names are), stored, not
translated.
"""

from __future__ import annotations

from django.utils.text import slugify

# The groups the reform's communes and the older districts are ranked in (Decision 19/2025 etc.).
GROUP_NAMES = {
    "xa": "Xã",
    "phuong": "Phường",
    "thi-tran": "Thị trấn",
    "dac-khu": "Đặc khu",
    "huyen": "Huyện",
    "thi-xa": "Thị xã",
    "thanh-pho": "Thành phố",
    "quan": "Quận",
    "so": "Sở, ban, ngành",
    "so-ban-nganh": "Sở, ban, ngành",
    "nganh-doc": "Cơ quan ngành dọc",
}
# The assessed levels, as the provinces' decisions call them.
LEVEL_NAMES = {
    "communes": "Cấp xã",
    "commune": "Cấp xã",
    "cap-xa": "Cấp xã",
    "districts": "Cấp huyện",
    "district": "Cấp huyện",
    "cap-huyen": "Cấp huyện",
    "departments": "Sở, ban, ngành",
    "department": "Sở, ban, ngành",
    "provinces": "Cấp tỉnh",
    "province": "Cấp tỉnh",
    "cap-tinh": "Cấp tỉnh",
}


def _key(code: str) -> str:
    return slugify(code.replace("_", "-"))


def group_default_name(code: str) -> str:
    """A ranking group's name when nobody gave one: the usual Vietnamese name of its code."""
    return GROUP_NAMES.get(_key(code), code)


def level_default_name(code: str) -> str:
    return LEVEL_NAMES.get(_key(code), code)
