"""Golden tests from the band wording of the province documents in ../shared/seeds/.

- 002 (Bắc Kạn, decision 1294/QĐ-UBND): the bands are defined in words ("lớn hơn 75% tổng điểm",
  "nhỏ hơn hoặc bằng 75% tổng điểm", …); the scheme written from them is checked sentence by
  sentence against the exact share, on the total and on each pillar's own maximum.
- 004 (Đắk Nông, decision 401/QĐ-UBND): the report lists which units are in each band ("Có 01 cơ
  quan xếp hạng ở mức tốt … là Sở Thông tin và Truyền thông"); the demo workbooks, which classify on
  points, put exactly those units in those bands, whichever way a period says bands are decided.
- 001 (Ninh Bình) publishes ranks and the DTI value only (no band wording): nothing to test here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from opendti.scoring import score_period
from opendti.scoring.bands import classify
from opendti.workbook import parse_workbook, read_workbook

from .builders import D, assessment, node, scheme

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# --- Bắc Kạn (seed 002) -------------------------------------------------------------------------

# Each sentence of the decision, and the band it names with the comparisons it makes.
BAC_KAN_SENTENCES = {
    "Mức dẫn dắt là đơn vị có tổng điểm đánh giá lớn hơn 75% tổng điểm": ("Dẫn dắt", 75, None),
    "mức nâng cao là đơn vị có tổng điểm đánh giá lớn hơn 50% tổng điểm và nhỏ hơn hoặc bằng 75% "
    "tổng điểm": ("Nâng cao", 50, 75),
    "mức hình thành là đơn vị có tổng điểm đánh giá lớn hơn 25% tổng điểm và nhỏ hơn hoặc bằng "
    "50% tổng điểm": ("Hình thành", 25, 50),
    "mức khởi động là đơn vị có tổng điểm đánh giá nhỏ hơn hoặc bằng 25% tổng điểm": (
        "Khởi động",
        None,
        25,
    ),
}
BAC_KAN = scheme(
    "percent",
    ("Dẫn dắt", 75, False),
    ("Nâng cao", 50, False),
    ("Hình thành", 25, False),
    ("Khởi động", None, True),
)
# The maxima the decision states: districts' pillars 600, 560, 580; communes' 600, 600, 700;
# departments 600 in all.
BAC_KAN_MAXIMA = (600, 560, 580, 700)


def test_the_bac_kan_sentences_are_in_the_seed() -> None:
    text = " ".join(seed("002").split())
    for sentence in BAC_KAN_SENTENCES:
        assert sentence in text, sentence
    for stated in ("tổng điểm 600", "tổng điểm 560", "tổng điểm 580", "tổng điểm 700"):
        assert stated in text


def _in_words(share: Fraction, above: int | None, at_most: int | None) -> bool:
    """The sentence's test: "lớn hơn `above`%" and "nhỏ hơn hoặc bằng `at_most`%"."""
    return (above is None or share > above) and (at_most is None or share <= at_most)


@pytest.mark.parametrize("maximum", BAC_KAN_MAXIMA)
def test_bac_kan_bands_follow_the_decisions_words_at_every_bound(maximum: int) -> None:
    """Every score a hundredth of a point apart within a point of each bound, on a maximum the
    decision states: exactly one sentence holds, and it names the engine's band."""
    cent = D("0.01")
    scores: set[Decimal] = set()
    for bound in (25, 50, 75):
        at = D(bound) * maximum / 100
        scores |= {at + cent * k for k in range(-100, 101)}
    for score in sorted(scores):
        share = Fraction(score) * 100 / maximum
        named = [
            band
            for band, above, at_most in BAC_KAN_SENTENCES.values()
            if _in_words(share, above, at_most)
        ]
        assert len(named) == 1, (score, named)
        assert classify(score, D(maximum), BAC_KAN) == named[0], (score, maximum)


def test_a_bac_kan_district_on_each_pillar_bound() -> None:
    """A district with its pillars just past 75 % (kinh tế số 420.01 of 560 = 75.0018 %), exactly on
    75 % (chính quyền số 450 of 600) and just past 50 % (xã hội số 290.01 of 580): the bands the
    decision's words give, although all three show as a round percent."""
    pillars = ["cqs", "kts", "xhs"]
    result = score_period(
        assessment(
            [
                node("m1", 600, pillars=["cqs"]),
                node("m2", 560, pillars=["kts"]),
                node("m3", 580, pillars=["xhs"]),
            ],
            ["huyen"],
            pillars=pillars,
            scores={"m1": {"huyen": 450}, "m2": {"huyen": "420.01"}, "m3": {"huyen": "290.01"}},
            total_bands=BAC_KAN,
            pillar_bands=BAC_KAN,
        )
    )
    unit = result.unit("huyen")
    assert {p: (unit.pillars[p].percent, unit.pillars[p].band) for p in pillars} == {
        "cqs": (D("75.00"), "Nâng cao"),
        "kts": (D("75.00"), "Dẫn dắt"),
        "xhs": (D("50.00"), "Nâng cao"),
    }
    # 1160.02 of 1740 = 66.668 %
    assert (unit.total, unit.band) == (D("1160.02"), "Nâng cao")


# --- Đắk Nông (seed 004) ------------------------------------------------------------------------

LABELS = {"tốt": "Tốt", "khá": "Khá", "trung bình": "TB", "yếu": "Yếu"}
LISTED = re.compile(
    r"^- Có (\d+) (?:cơ quan|địa phương) xếp hạng ở mức (tốt|khá|trung bình|yếu)"
    r"(?: \(mức cao nhất\))? (?:là|gồm:?) (.+?)\.?$"
)


def _plain(name: str) -> str:
    """A name as both the report and the workbook write it: 'UBND ' dropped, '-' as ','."""
    name = unicodedata.normalize("NFC", name).replace("UBND ", "").replace(" - ", ", ")
    return name.strip().lower()


def _listed(lines: list[str]) -> dict[str, tuple[int, set[str]]]:
    found: dict[str, tuple[int, set[str]]] = {}
    for line in lines:
        match = LISTED.match(line.strip())
        if match:
            count, band, names = match.groups()
            parts = re.split(
                r", (?=(?:Sở|Ban|Văn phòng|Thanh tra|huyện|thành phố))| và (?=huyện)", names
            )
            found[LABELS[band]] = (int(count), {_plain(p) for p in parts})
    return found


@pytest.mark.parametrize(
    ("workbook", "first", "last"),
    [
        ("daknong-2023-departments", "Có 01 cơ quan xếp hạng ở mức tốt", "Xếp hạng DTI năm 2023"),
        ("daknong-2023-districts", "Giá trị trung bình của DTI các huyện", "Biểu đồ"),
    ],
)
@pytest.mark.parametrize("band_on", ["exact", "displayed"])
def test_daknong_units_are_in_the_bands_the_report_lists(
    workbooks: Path, workbook: str, first: str, last: str, band_on: str
) -> None:
    text = seed("004")
    start = text.rfind("\n", 0, text.index(first)) + 1  # from the start of that line
    lines = text[start : text.index(last, start)].splitlines()
    listed = _listed(lines)
    assert listed, "the report's band lists were not found"
    parsed = parse_workbook(read_workbook(workbooks / workbook)).assessment
    settings = replace(parsed.settings, band_on=band_on)
    result = score_period(replace(parsed, settings=settings))
    by_band: dict[str, set[str]] = {}
    for unit in result.units:
        by_band.setdefault(unit.band or "", set()).add(_plain(unit.name))
    for band, (count, names) in listed.items():
        assert len(names) == count, (band, names)
        assert by_band.get(band, set()) == names, band
    assert sum(count for count, _ in listed.values()) == len(result.units)
