"""Build the Đắk Nông 2023 and national 2022 workbooks (CSV folders) from the published tables.

Run once from the repository root: python scripts/build_daknong_workbooks.py ../shared/data/published
The output is committed under src/opendti/demo/workbooks/ so that the demo needs nothing else.

Main-index scores are given on the `scores` sheet exactly as published (the framework has no
component indicators here), totals and pillar scores as published too, so that `findings` shows
every published number that does not add up.
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "opendti" / "demo" / "workbooks"

MAIN = {
    "nhan_thuc_so": "Nhận thức số",
    "the_che_so": "Thể chế số",
    "ha_tang_so": "Hạ tầng số",
    "nhan_luc_so": "Nhân lực số",
    "an_toan_thong_tin_mang": "An toàn thông tin mạng",
    "hoat_dong_chinh_quyen_so": "Hoạt động chính quyền số",
    "hoat_dong_kinh_te_so": "Hoạt động kinh tế số",
    "hoat_dong_xa_hoi_so": "Hoạt động xã hội số",
}
FOUNDATION = ["nhan_thuc_so", "the_che_so", "ha_tang_so", "nhan_luc_so", "an_toan_thong_tin_mang"]
# Decision 1552/QĐ-UBND's maxima are not in the report; these add up to its 1,000-point scale and
# are above every published score. Bands are on points, so the results do not depend on them.
DEPARTMENT_MAX = {
    "nhan_thuc_so": 100,
    "the_che_so": 100,
    "ha_tang_so": 100,
    "nhan_luc_so": 100,
    "an_toan_thong_tin_mang": 150,
    "hoat_dong_chinh_quyen_so": 300,
    "hoat_dong_xa_hoi_so": 150,
}
DISTRICT_MAX = {
    "nhan_thuc_so": 100,
    "the_che_so": 100,
    "ha_tang_so": 100,
    "nhan_luc_so": 100,
    "an_toan_thong_tin_mang": 100,
    "hoat_dong_chinh_quyen_so": 150,
    "hoat_dong_kinh_te_so": 150,
    "hoat_dong_xa_hoi_so": 200,
}
PILLARS = {
    "cqs": ("Chính quyền số", "hoat_dong_chinh_quyen_so", "table5_pillar_chinh_quyen_so.csv"),
    "kts": ("Kinh tế số", "hoat_dong_kinh_te_so", "table6_pillar_kinh_te_so.csv"),
    "xhs": ("Xã hội số", "hoat_dong_xa_hoi_so", "table7_pillar_xa_hoi_so.csv"),
}
BANDS = [
    ("total", "Tốt", "points", "800", "yes"),
    ("total", "Khá", "points", "650", "yes"),
    ("total", "TB", "points", "500", "yes"),
    ("total", "Yếu", "points", "", ""),
]


def slug(name: str) -> str:
    text = name.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    for word in ("ubnd ", "huyen ", "thanh pho ", "so "):
        text = text.replace(word, "")
    return "-".join("".join(c if c.isalnum() else " " for c in text).split())


def write(folder: Path, sheets: dict[str, list[list[str]]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r.get("rank") or r.get("unit") != "Trung bình"]


def daknong(
    source: Path, table: str, level: str, maxima: dict[str, int], pillars: bool
) -> dict[str, list[list[str]]]:
    published = [r for r in rows_of(source / table) if r["unit"] != "Trung bình"]
    framework = [
        ["code", "parent", "name", "kind", "max_points", "pillars", "scored", "rule", "params"]
    ]
    for code, max_points in maxima.items():
        member = ""
        if pillars:
            member = (
                "cqs;kts;xhs"
                if code in FOUNDATION
                else next(p for p, v in PILLARS.items() if v[1] == code)
            )
        framework.append([code, "", MAIN[code], "main", str(max_points), member, "yes", "", ""])
    units = [["code", "name", "group"]] + [[slug(r["unit"]), r["unit"], ""] for r in published]
    scores = [["unit", "node", "score"]]
    for r in published:
        scores += [[slug(r["unit"]), code, r[code]] for code in maxima]
        scores.append([slug(r["unit"]), "TOTAL", r["total"]])
    if pillars:
        for pillar, (_, _, file) in PILLARS.items():
            for r in rows_of(source / file):
                if r["unit"] != "Trung bình":
                    scores.append([slug(r["unit"]), pillar, r["pillar_score"]])
    settings = [
        ["key", "value"],
        ["title", f"DTI Đắk Nông 2023 — {level}"],
        ["level", level],
        ["year", "2023"],
        ["period", "2023"],
        ["total_max", "1000"],
        ["decimals", "2"],
        ["display", "points"],
        ["not_deployed", "exclude"],
    ]
    return {
        "settings": settings,
        "pillars": [["code", "name"]]
        + ([[p, v[0]] for p, v in PILLARS.items()] if pillars else []),
        "framework": framework,
        "bands": [
            ["scheme", "label", "basis", "lower", "lower_inclusive"],
            *[list(b) for b in BANDS],
        ],
        "units": units,
        "scores": scores,
    }


NATIONAL = {
    "nhan_thuc_so": 100,
    "the_che_so": 100,
    "ha_tang_so": 100,
    "nhan_luc_so": 100,
    "an_toan_thong_tin_mang": 100,
    "hd_chinh_quyen_so": 200,
    "hd_kinh_te_so": 150,
    "hd_xa_hoi_so": 150,
}


def national(source: Path) -> dict[str, list[list[str]]]:
    from decimal import Decimal

    published = rows_of(source / "top5_provinces.csv")
    framework = [
        ["code", "parent", "name", "kind", "max_points", "pillars", "scored", "rule", "params"]
    ]
    names = dict(zip(NATIONAL, MAIN.values(), strict=True))
    for code, max_points in NATIONAL.items():
        framework.append([code, "", names[code], "main", str(max_points), "", "yes", "", ""])
    scores = [["unit", "node", "score"]]
    for r in published:
        for code, weight in NATIONAL.items():
            scores.append([slug(r["province"]), code, str(Decimal(r[code]) * weight)])
    return {
        "settings": [
            ["key", "value"],
            ["title", "DTI 2022 — cấp tỉnh (5 tỉnh dẫn đầu)"],
            ["level", "province"],
            ["year", "2022"],
            ["period", "2022"],
            ["total_max", "1000"],
            ["decimals", "4"],
            ["display", "index"],
            ["not_deployed", "exclude"],
        ],
        "pillars": [["code", "name"]],
        "framework": framework,
        "units": [["code", "name", "group"]]
        + [[slug(r["province"]), r["province"], ""] for r in published],
        "scores": scores,
    }


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/published")
    write(
        OUT / "daknong-2023-departments",
        daknong(
            source / "daknong-2023", "table1_departments.csv", "departments", DEPARTMENT_MAX, False
        ),
    )
    write(
        OUT / "daknong-2023-districts",
        daknong(source / "daknong-2023", "table3_districts.csv", "districts", DISTRICT_MAX, True),
    )
    write(OUT / "national-2022-provinces", national(source / "national-2022"))


if __name__ == "__main__":
    main()
