"""Build the synthetic demo periods (every rule type, two ranking groups, lineage) as CSV sheets:
communes 2025, and communes 2024 before two of them merged, on an older framework version.

Run from the repository root: python scripts/build_synthetic_workbook.py
Deterministic: the same files every time (seeded), committed under src/opendti/demo/workbooks/.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

WORKBOOKS = Path(__file__).resolve().parent.parent / "src" / "opendti" / "demo" / "workbooks"
OUT = WORKBOOKS / "synthetic-2025-communes"
OUT_2024 = WORKBOOKS / "synthetic-2024-communes"

PILLARS = [("cqs", "Chính quyền số"), ("kts", "Kinh tế số"), ("xhs", "Xã hội số")]
ALL = "cqs;kts;xhs"
# code, parent, name, kind, max, pillars, scored, rule, params, extra columns
NODES: list[tuple] = [
    ("NT", "", "Nhóm chỉ số nền tảng chung", "group", 500, ALL, "yes", "", None),
    ("HD", "", "Nhóm chỉ số hoạt động", "group", 500, "", "yes", "", None),
    ("1", "NT", "Nhận thức số", "main", 100, "", "yes", "", None),
    (
        "1.1",
        "1",
        "Lãnh đạo đơn vị chủ trì, chỉ đạo công tác chuyển đổi số",
        "component",
        40,
        "",
        "yes",
        "yes_no",
        {},
    ),
    (
        "1.2",
        "1",
        "Số buổi tuyên truyền về chuyển đổi số trong năm",
        "component",
        30,
        "",
        "yes",
        "count",
        {"points_each": 5, "inputs": [{"name": "", "type": "number", "unit": "buổi", "min": 0}]},
    ),
    (
        "1.3",
        "1",
        "Mức độ phổ biến chuyển đổi số trên cổng thông tin",
        "component",
        30,
        "",
        "yes",
        "choice",
        {"choices": {"Đầy đủ": 30, "Một phần": 15, "Chưa có": 0}},
    ),
    ("2", "NT", "Thể chế số", "main", 100, "", "yes", "", None),
    ("2.1", "2", "Ban hành kế hoạch chuyển đổi số năm", "component", 50, "", "yes", "yes_no", {}),
    (
        "2.2",
        "2",
        "Tỷ lệ nhiệm vụ của kế hoạch được hoàn thành",
        "component",
        50,
        "",
        "yes",
        "ratio",
        {
            "inputs": [
                {"name": "numerator", "unit": "nhiệm vụ", "min": 0},
                {"name": "denominator", "unit": "nhiệm vụ", "min": 0},
            ]
        },
    ),
    ("3", "NT", "Hạ tầng số", "main", 100, "", "yes", "", None),
    (
        "3.1",
        "3",
        "Tỷ lệ cán bộ được trang bị máy tính",
        "component",
        60,
        "",
        "yes",
        "ratio",
        {
            "target": 0.9,
            "inputs": [
                {"name": "numerator", "unit": "người"},
                {"name": "denominator", "unit": "người"},
            ],
        },
    ),
    (
        "3.2",
        "3",
        "Tốc độ kết nối mạng truyền số liệu chuyên dùng",
        "component",
        40,
        "",
        "yes",
        "tiers",
        {
            "tiers": [
                {"min": 100, "points": 40},
                {"min": 50, "points": 25},
                {"min": 10, "points": 10},
            ],
            "inputs": [{"name": "", "type": "number", "unit": "Mbps", "min": 0}],
        },
    ),
    ("4", "NT", "Nhân lực số", "main", 100, "", "yes", "", None),
    (
        "4.1",
        "4",
        "Tỷ lệ cán bộ được tập huấn kỹ năng số",
        "component",
        60,
        "",
        "yes",
        "linear",
        {
            "from": 20,
            "to": 80,
            "inputs": [{"name": "", "type": "percent", "unit": "%", "min": 0, "max": 100}],
        },
    ),
    (
        "4.2",
        "4",
        "Điểm đánh giá năng lực của Tổ công nghệ số cộng đồng",
        "component",
        40,
        "",
        "yes",
        "manual",
        {},
    ),
    (
        "4.3",
        "4",
        "Số người có chứng chỉ kỹ năng số (tham khảo)",
        "component",
        0,
        "",
        "no",
        "count",
        {"points_each": 0.1},
    ),
    ("5", "NT", "An toàn thông tin mạng", "main", 100, "", "yes", "", None),
    (
        "5.1",
        "5",
        "Hệ thống thông tin được phê duyệt cấp độ an toàn",
        "component",
        50,
        "",
        "yes",
        "formula",
        {
            "expression": "approved / systems * 50 if systems > 0 else 0",
            "inputs": [
                {"name": "approved", "unit": "hệ thống", "min": 0},
                {"name": "systems", "unit": "hệ thống", "min": 0},
            ],
        },
    ),
    (
        "5.2",
        "5",
        "Số sự cố mất an toàn thông tin trong năm",
        "component",
        50,
        "",
        "yes",
        "linear",
        {"from": 10, "to": 0, "inputs": [{"name": "", "unit": "sự cố", "min": 0}]},
    ),
    ("6", "HD", "Hoạt động chính quyền số", "main", 200, "cqs", "yes", "", None),
    (
        "6.1",
        "6",
        "Tỷ lệ hồ sơ TTHC xử lý trực tuyến toàn trình",
        "component",
        80,
        "",
        "yes",
        "relative",
        {"method": "min_max", "inputs": [{"name": "", "type": "percent", "unit": "%"}]},
    ),
    (
        "6.2",
        "6",
        "Tỷ lệ văn bản điện tử có ký số",
        "component",
        60,
        "",
        "yes",
        "ratio",
        {
            "inputs": [
                {"name": "numerator", "unit": "văn bản"},
                {"name": "denominator", "unit": "văn bản"},
            ]
        },
    ),
    (
        "6.3",
        "6",
        "Thời gian xử lý hồ sơ trung bình",
        "component",
        40,
        "",
        "yes",
        "relative",
        {
            "method": "best",
            "higher_is_better": False,
            "scope": "group",
            "inputs": [{"name": "", "unit": "ngày", "min": 0}],
        },
    ),
    ("6.4", "6", "Cổng dữ liệu mở của xã", "component", 20, "", "yes", "yes_no", {}),
    ("7", "HD", "Hoạt động kinh tế số", "main", 150, "kts", "yes", "", None),
    (
        "7.1",
        "7",
        "Số hộ kinh doanh bán hàng trên sàn thương mại điện tử",
        "component",
        75,
        "",
        "yes",
        "count",
        {"points_each": 1.5, "cap": 75, "inputs": [{"name": "", "unit": "hộ", "min": 0}]},
    ),
    (
        "7.2",
        "7",
        "Tỷ lệ giao dịch thanh toán không dùng tiền mặt",
        "component",
        75,
        "",
        "yes",
        "formula",
        {
            "expression": "min(cashless / total * 100, 100) * 0.75",
            "inputs": [
                {"name": "cashless", "unit": "giao dịch", "min": 0},
                {"name": "total", "unit": "giao dịch", "min": 0},
            ],
        },
    ),
    ("8", "HD", "Hoạt động xã hội số", "main", 150, "xhs", "yes", "", None),
    (
        "8.1",
        "8",
        "Tỷ lệ người dân có danh tính số",
        "component",
        75,
        "",
        "yes",
        "tiers",
        {
            "tiers": [
                {"min": 80, "points": 75},
                {"min": 60, "points": 50},
                {"min": 40, "points": 25},
            ],
            "inclusive": True,
            "inputs": [{"name": "", "type": "percent", "unit": "%"}],
        },
    ),
    (
        "8.2",
        "8",
        "Điểm chất lượng nền tảng bản đồ số đô thị",
        "component",
        75,
        "",
        "yes",
        "manual",
        {},
    ),
]
EXTRA = {
    "1.1": {
        "evidence_required": "yes",
        "guidance": "Văn bản phân công lãnh đạo phụ trách chuyển đổi số.",
    },
    "2.2": {
        "verifier": "Văn phòng HĐND và UBND",
        "guidance": "Số nhiệm vụ hoàn thành / tổng số nhiệm vụ của kế hoạch.",
    },
    "4.2": {"source": "reviewer"},
    "6.1": {"source": "auto", "verifier": "Cổng dịch vụ công tỉnh"},
    "6.4": {"deployed": "no", "guidance": "Tỉnh chưa triển khai cổng dữ liệu mở cấp xã."},
    "8.2": {"applies_to": "phuong", "guidance": "Chỉ áp dụng cho phường."},
}
UNITS = [
    ("xa-hoa-binh", "UBND xã Hòa Bình", "xa", "", ""),
    ("xa-tan-lap", "UBND xã Tân Lập", "xa", "", "xa-tan-tien;xa-lap-thanh"),
    ("xa-dak-ha", "UBND xã Đắk Hà", "xa", "", ""),
    ("xa-quang-son", "UBND xã Quảng Sơn", "xa", "no", ""),
    ("phuong-nghia-duc", "UBND phường Nghĩa Đức", "phuong", "", ""),
    ("phuong-nghia-tan", "UBND phường Nghĩa Tân", "phuong", "", ""),
    ("phuong-quang-thanh", "UBND phường Quảng Thành", "phuong", "", ""),
]


# 2024: xa-tan-tien and xa-lap-thanh, which merged into xa-tan-lap in 2025, still separate.
UNITS_2024 = [
    ("xa-hoa-binh", "UBND xã Hòa Bình", "xa", "", ""),
    ("xa-tan-tien", "UBND xã Tân Tiến", "xa", "", ""),
    ("xa-lap-thanh", "UBND xã Lập Thành", "xa", "", ""),
    ("xa-dak-ha", "UBND xã Đắk Hà", "xa", "", ""),
    ("xa-quang-son", "UBND xã Quảng Sơn", "xa", "no", ""),
    ("phuong-nghia-duc", "UBND phường Nghĩa Đức", "phuong", "", ""),
    ("phuong-nghia-tan", "UBND phường Nghĩa Tân", "phuong", "", ""),
    ("phuong-quang-thanh", "UBND phường Quảng Thành", "phuong", "", ""),
]
# The 2024 framework differs from 2025's in exactly three indicators: 3.2 had lower speed tiers
# (changed rule: not comparable), 6.4 did not exist (new in 2025; 6 and HD had 20 points less),
# and 7.2 was numbered 7.3 (renamed: comparable through an explicit mapping, made by demo_load).
TIERS_2024 = {
    "tiers": [
        {"min": 50, "points": 40},
        {"min": 20, "points": 25},
        {"min": 5, "points": 10},
    ],
    "inputs": [{"name": "", "type": "number", "unit": "Mbps", "min": 0}],
}
RENAMED_2024 = {"7.2": "7.3"}
SMALLER_2024 = {"HD": 480, "6": 180}


def nodes_2024() -> list[tuple]:
    nodes = []
    for code, parent, name, kind, max_points, pillars, scored, rule, params in NODES:
        if code == "6.4":
            continue
        if code == "3.2":
            params = TIERS_2024
        nodes.append(
            (
                RENAMED_2024.get(code, code),
                parent,
                name,
                kind,
                SMALLER_2024.get(code, max_points),
                pillars,
                scored,
                rule,
                params,
            )
        )
    return nodes


def values_for(rng: random.Random, code: str, rule: str, params: dict) -> list[tuple[str, str]]:
    if rule == "yes_no":
        return [("", rng.choice(["yes", "yes", "no"]))]
    if rule == "count":
        return [("", str(rng.randint(0, 60 if code == "7.1" else 8)))]
    if rule == "choice":
        return [("", rng.choice(list(params["choices"])))]
    if rule == "ratio":
        total = rng.randint(20, 120)
        return [("numerator", str(rng.randint(total // 3, total))), ("denominator", str(total))]
    if rule == "tiers":
        return [("", str(rng.randint(5, 150) if code == "3.2" else rng.randint(30, 95)))]
    if rule == "linear":
        return [("", str(rng.randint(10, 95)) if code == "4.1" else str(rng.randint(0, 12)))]
    if rule == "manual":
        top = 40 if code == "4.2" else 75
        return [("", f"{rng.randint(10 * top, 100 * top) / 100:.2f}")]
    if rule == "formula" and code == "5.1":
        systems = rng.randint(1, 6)
        return [("approved", str(rng.randint(0, systems))), ("systems", str(systems))]
    if rule == "formula":
        total = rng.randint(500, 5000)
        return [("cashless", str(rng.randint(total // 10, total))), ("total", str(total))]
    if rule == "relative":
        return [
            (
                "",
                f"{rng.randint(100, 9900) / 100:.2f}"
                if code == "6.1"
                else f"{rng.randint(15, 90) / 10:.1f}",
            )
        ]
    raise ValueError(rule)


def build(
    out: Path, year: int, total_max: int, nodes: list[tuple], units: list[tuple], seed: int
) -> None:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    extra_cols = ["applies_to", "deployed", "guidance", "evidence_required", "source", "verifier"]
    sheets: dict[str, list[list[str]]] = {
        "settings": [
            ["key", "value"],
            ["title", f"DTI cấp xã {year} (dữ liệu minh họa)"],
            ["level", "communes"],
            ["year", str(year)],
            ["period", str(year)],
            ["total_max", str(total_max)],
            ["decimals", "2"],
            ["display", "points"],
            ["not_deployed", "exclude"],
        ],
        "pillars": [["code", "name"], *[list(p) for p in PILLARS]],
        "framework": [
            [
                "code",
                "parent",
                "name",
                "kind",
                "max_points",
                "pillars",
                "scored",
                "rule",
                "params",
                *extra_cols,
            ]
        ],
        "bands": [
            ["scheme", "label", "basis", "lower", "lower_inclusive"],
            ["total", "Dẫn dắt", "percent", "75", "no"],
            ["total", "Nâng cao", "percent", "50", "no"],
            ["total", "Hình thành", "percent", "25", "no"],
            ["total", "Khởi động", "percent", "", ""],
            ["pillar", "Dẫn dắt", "percent", "75", "no"],
            ["pillar", "Nâng cao", "percent", "50", "no"],
            ["pillar", "Hình thành", "percent", "25", "no"],
            ["pillar", "Khởi động", "percent", "", ""],
        ],
        "units": [
            ["code", "name", "group", "ranked", "kind", "predecessors"],
            *[[c, n, g, r, "ubnd-xa", p] for c, n, g, r, p in units],
        ],
        "values": [["unit", "indicator", "input", "value"]],
        "scores": [["unit", "node", "score"]],
    }
    for code, parent, name, kind, max_points, pillars, scored, rule, params in nodes:
        extra = EXTRA.get(code, {})
        sheets["framework"].append(
            [
                code,
                parent,
                name,
                kind,
                str(max_points),
                pillars,
                scored,
                rule,
                json.dumps(params, ensure_ascii=False) if rule else "",
                *[extra.get(c, "") for c in extra_cols],
            ]
        )
    for unit, *_ in units:
        for code, _parent, _name, _kind, _max, _p, _s, rule, params in nodes:
            if rule:
                for input_name, value in values_for(rng, code, rule, params):
                    sheets["values"].append([unit, code, input_name, value])
    for name, rows in sheets.items():
        with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)


def main() -> None:
    build(OUT, 2025, 1000, NODES, UNITS, seed=2025)
    build(OUT_2024, 2024, 980, nodes_2024(), UNITS_2024, seed=2024)


if __name__ == "__main__":
    main()
