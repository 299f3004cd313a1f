"""The annual report's content, built from a period's results (Bảng 1–7 of the Đắk Nông report):
per level or ranking group the ranking with every main index, the ranking per pillar, the
average row, the units per band and the change against the previous period.

Numbers come from `results.rankings.ranking_table`, the function the web pages use, so the report
and the pages cannot disagree. The source is the approved snapshot when the period has one,
otherwise the live results, printed as a draft (DỰ THẢO).

The document is an administrative document in Vietnamese (Nghị định 30/2020/NĐ-CP), whatever the
reader's language: its text is written here in Vietnamese and built with Vietnamese active.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from django.conf import settings
from django.utils import translation

from opendti import numbers
from opendti.periods.models import Period
from opendti.periods.names import group_names
from opendti.publication.models import Snapshot
from opendti.publication.selectors import final_scores
from opendti.results import band_detail
from opendti.results.rankings import TOTAL, Row, ranking_table
from opendti.results.rankings import Table as Ranking
from opendti.results.services import scores_year_on_year
from opendti.results.source import PeriodScores
from opendti.results.year_on_year import group_sentences

from . import charts
from .content import Chart, ReportContent, Section, Table, long_date
from .models import ReportText
from .multi_year import multi_year_sections
from .parts import Covered, part_one, part_three
from .targets import targets_sections

# The issuing body and place, per installation (settings), defaulting to the demo's province.
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
MISSING = "—"


def vn(value: Decimal | int | None, *, signed: bool = False) -> str:
    """A number as printed in a Vietnamese document: decimal comma, the engine's decimals kept
    (never re-rounded), never in exponent form; the change columns carry their sign."""
    return numbers.vi(value, signed=signed, missing=MISSING)


def two_digits(count: int) -> str:
    # Administrative prose writes small counts with two digits ("Có 03 địa phương").
    return f"{count:02d}"


def _ranking_table(number: int, title: str, ranking: Ranking, scores: PeriodScores) -> Table:
    """Bảng 1/3: rank, unit, total, [percent | index], every main index, band."""
    display = scores.assessment.settings.display
    has_bands = scores.assessment.framework.total_bands is not None
    index = {u.code: u.index for u in scores.result.units}
    # Where the maxima differ the rank is by share of each unit's maximum: the share comes first,
    # with the maximum it is a share of, whatever the period displays.
    by_share = ranking.by_share
    if by_share:
        display = "percent"
        header = ["Xếp hạng", "Cơ quan, đơn vị", "Tỷ lệ điểm đạt (%)", "Tổng điểm"]
        header.append("Điểm tối đa áp dụng")
    else:
        header = ["Xếp hạng", "Cơ quan, đơn vị", "Tổng điểm"]
    if display == "percent" and not by_share:
        header.append("Tỷ lệ (%)")
    elif display == "index":
        header.append("Chỉ số")
    header += [c.label for c in ranking.parts]
    if has_bands:
        header.append("Mức xếp loại")

    # A percent (or index) that would read into another band when rounded is printed with the
    # decimals that show why (marked *); where no percent is printed, the band is marked and the
    # note gives the unit's exact figure (results/band_detail.py).
    shows_share = display in ("percent", "index")

    def line(row: Row, average: bool) -> tuple[str, ...]:
        detail = row.percent_detail
        cells = ["" if average else vn(row.rank), row.name]
        if by_share:
            cells.append(band_detail.marked(vn(row.percent_shown), detail))
            cells += [vn(row.score), "" if average else vn(row.max_points)]
        else:
            cells.append(vn(row.score))
        if display == "percent" and not by_share:
            cells.append(band_detail.marked(vn(row.percent_shown), detail))
        elif display == "index":
            shown = band_detail.index_shown(index.get(row.unit), detail)
            cells.append("" if average else band_detail.marked(vn(shown), detail))
        cells += [vn(p) for p in row.parts]
        if has_bands:
            band = "" if average else (row.band or MISSING)
            cells.append(band if shows_share else band_detail.marked(band, detail))
        return tuple(cells)

    rows = [line(r, False) for r in ranking.rows] + [line(ranking.average, True)]
    note = ""
    if ranking.has_percent_detail:
        note = band_detail.note()
        if not shows_share:
            note += " " + "; ".join(
                band_detail.unit_note(r.name, r.percent_detail, r.percent)
                for r in ranking.rows
                if r.percent_detail is not None and r.percent is not None
            )
    return Table(number, title, tuple(header), tuple(rows), frozenset({len(rows) - 1}), note)


def _pillar_table(number: int, title: str, ranking: Ranking) -> Table:
    """Bảng 5–7: the ranking on one pillar."""
    rows = [(vn(r.rank), r.name, vn(r.score)) for r in ranking.rows]
    rows.append(("", ranking.average.name, vn(ranking.average.score)))
    header = ("Xếp hạng", "Cơ quan, đơn vị", f"Trụ cột {ranking.title}")
    return Table(number, title, header, tuple(rows), frozenset({len(rows) - 1}))


def _change_table(number: int, title: str, ranking: Ranking, year: int) -> Table:
    """Each unit's total against the previous period, and the average's change."""
    rows = []
    for r in ranking.rows:
        previous = r.score - r.change if r.score is not None and r.change is not None else None
        mark = "*" if r.change_via == "lineage" else ""
        rows.append(
            (vn(r.rank), r.name, vn(previous), vn(r.score), vn(r.change, signed=True) + mark)
        )
    average = ranking.average
    previous_average = (
        average.score - average.change
        if average.score is not None and average.change is not None
        else None
    )
    rows.append(
        ("", average.name, vn(previous_average), vn(average.score), vn(average.change, signed=True))
    )
    header = ("Xếp hạng", "Cơ quan, đơn vị", "Kỳ trước", f"Năm {year}", "Thay đổi")
    note = ""
    if any(r.change_via == "lineage" for r in ranking.rows):
        note = "* so với trung bình của các đơn vị trước khi sáp nhập."
    return Table(number, title, header, tuple(rows), frozenset({len(rows) - 1}), note)


def _band_paragraphs(ranking: Ranking, bands: list[str]) -> list[str]:
    out = []
    for band in bands:
        names = [r.name for r in ranking.rows if r.ranked and r.band == band]
        if names:
            out.append(
                f"- Có {two_digits(len(names))} đơn vị xếp loại mức {band}: {', '.join(names)}."
            )
    return out


def _extremes(ranking: Ranking) -> str:
    ranked = [r for r in ranking.rows if r.rank is not None]
    if not ranked:
        return ""
    return f" Xếp cao nhất là {ranked[0].name}, thấp nhất là {ranked[-1].name}."


class _Numbers:
    """Tables and charts are numbered in reading order across the whole report."""

    def __init__(self) -> None:
        self.count = 0

    def next(self) -> int:
        self.count += 1
        return self.count


def _group_sections(
    heading: str,
    scope: str,
    scores: PeriodScores,
    group: str | None,
    numbers: _Numbers,
    year: int,
    year_on_year: tuple[str, ...] = (),
) -> list[Section]:
    """A level's or a group's results: the ranking (Bảng 1/3) with the bands and the charts,
    then one subsection per pillar (Bảng 5–7), then the change against the previous period
    (without ranking groups; with them the change is one table for the whole period)."""
    assessment, result = scores.assessment, scores.result
    framework = assessment.framework
    bands = [b.label for b in framework.total_bands.bands] if framework.total_bands else []
    ranking = ranking_table(assessment, result, view=TOTAL, group=group, change=scores.change)
    number = numbers.next()
    paragraphs = [
        f"Có {two_digits(len(ranking.rows))} đơn vị được đánh giá, xếp hạng. "
        f"Kết quả xếp hạng được thể hiện tại Bảng {number}."
    ]
    if ranking.by_share:
        paragraphs.append(
            "Các đơn vị có điểm tối đa áp dụng khác nhau (có chỉ số chỉ áp dụng cho một số nhóm "
            "hoặc chưa triển khai), nên thứ hạng được xếp theo tỷ lệ điểm đạt (tổng điểm trên "
            "điểm tối đa áp dụng của từng đơn vị), không theo số điểm."
        )
    average = f"Giá trị trung bình của tổng điểm là {vn(ranking.average.score)} điểm"
    if ranking.average.change is not None:
        verb = "tăng" if ranking.average.change >= 0 else "giảm"
        average += f", {verb} {vn(abs(ranking.average.change))} điểm so với kỳ trước"
    paragraphs.append(average + (", trong đó:" if bands else "."))
    paragraphs += _band_paragraphs(ranking, bands)
    sections = [
        Section(
            heading,
            tuple(paragraphs),
            (_ranking_table(number, f"Bảng xếp hạng chuyển đổi số{scope}", ranking, scores),),
            (
                Chart(
                    (
                        "Biểu đồ xếp hạng theo tỷ lệ điểm đạt"
                        if ranking.by_share
                        else "Biểu đồ xếp hạng theo tổng điểm"
                    )
                    + scope,
                    charts.ranking_png(ranking, bands),
                ),
                Chart(
                    f"Điểm trung bình các chỉ số chính{scope}",
                    charts.averages_png(ranking, assessment),
                ),
            ),
        )
    ]
    for pillar in framework.pillars:
        by_pillar = ranking_table(assessment, result, view=pillar.code, group=group)
        number = numbers.next()
        sections.append(
            Section(
                f"Xếp hạng theo trụ cột {pillar.name}",
                (
                    f"Giá trị trung bình của trụ cột {pillar.name} là "
                    f"{vn(by_pillar.average.score)} điểm (Bảng {number}).{_extremes(by_pillar)}",
                ),
                (_pillar_table(number, f"Bảng xếp hạng trụ cột {pillar.name}{scope}", by_pillar),),
                level=2,
            )
        )
    if scores.change is not None and group is None:
        sections.append(
            _change_section(scores, numbers, year, ranking, level=2, year_on_year=year_on_year)
        )
    return sections


def _change_section(
    scores: PeriodScores,
    numbers: _Numbers,
    year: int,
    ranking: Ranking,
    *,
    level: int,
    heading: str = "Thay đổi so với kỳ trước",
    year_on_year: tuple[str, ...] = (),
) -> Section:
    """Each unit's total against the previous period, and the average's change."""
    number = numbers.next()
    table = _change_table(number, "Thay đổi tổng điểm so với kỳ trước", ranking, year)
    paragraphs = [
        f"Thay đổi tổng điểm của từng đơn vị so với kỳ trước được thể hiện tại Bảng {number}."
    ]
    if ranking.most_improved:
        names = {u.code: u.name for u in scores.result.units}
        improved = ", ".join(names[c] for c in ranking.most_improved if c in names)
        paragraphs.append(f"Tăng điểm nhiều nhất: {improved}.")
    # The statistics as provinces state them (results.year_on_year), one paragraph per group.
    paragraphs += year_on_year
    return Section(heading, tuple(paragraphs), (table,), level=level)


def _sections(period: Period, scores: PeriodScores, numbers: _Numbers) -> list[Section]:
    """Part II for one period: its results per level or ranking group, and the change."""
    sections: list[Section] = []
    statistics = scores_year_on_year(period=period, scores=scores)
    year_on_year = tuple(
        " ".join(group_sentences(g)) for g in (statistics.groups if statistics else ())
    )
    groups = _groups(period, scores)
    if not groups:
        sections += _group_sections(
            "I. Kết quả, xếp hạng", "", scores, None, numbers, period.year, year_on_year
        )
        # As below: the averages across the years, then targets and component levels.
        years = multi_year_sections(period, scores, numbers.next, "II. Điểm trung bình qua các năm")
        heading = f"{ROMAN[1 + len(years)]}. Mục tiêu và phân loại chỉ số thành phần"
        return sections + years + targets_sections(period, scores, numbers.next, heading)
    for i, (code, name) in enumerate(groups):
        heading = f"{ROMAN[i % len(ROMAN)]}. Kết quả, xếp hạng của nhóm {name}"
        sections += _group_sections(
            heading, f" của nhóm {name}", scores, code, numbers, period.year
        )
    if scores.change is not None:
        overall = ranking_table(scores.assessment, scores.result, view=TOTAL, change=scores.change)
        heading = f"{ROMAN[len(groups) % len(ROMAN)]}. Thay đổi so với kỳ trước"
        sections.append(
            _change_section(
                scores,
                numbers,
                period.year,
                overall,
                level=1,
                heading=heading,
                year_on_year=year_on_year,
            )
        )
    after = len(groups) + (1 if scores.change is not None else 0)
    # Each group's average across the years (reports/multi_year.py), then the targets and the
    # component levels (reports/targets.py): blocks of their own, numbered in reading order.
    years = multi_year_sections(
        period, scores, numbers.next, f"{ROMAN[after % len(ROMAN)]}. Điểm trung bình qua các năm"
    )
    after += len(years)
    heading = f"{ROMAN[after % len(ROMAN)]}. Mục tiêu và phân loại chỉ số thành phần"
    return sections + years + targets_sections(period, scores, numbers.next, heading)


def _introduction(period: Period, scores: PeriodScores, snapshot: Snapshot | None) -> Section:
    framework = period.framework
    basis = f"Bộ chỉ số {framework.name}"
    if framework.decision_number:
        basis += f" ban hành kèm theo Quyết định số {framework.decision_number}"
        if framework.decision_date:
            basis += f" {long_date(framework.decision_date)}"
        if framework.decision_issuer:
            basis += f" của {framework.decision_issuer}"
    units = scores.result.units
    groups = _groups(period, scores)
    counts = f"Có {two_digits(len(units))} đơn vị được đánh giá, xếp hạng"
    if groups:
        counts += (
            " ("
            + "; ".join(
                f"{name}: {two_digits(sum(1 for u in units if u.group == code))}"
                for code, name in groups
            )
            + ")"
        )
    paragraphs = [
        f"Kỳ đánh giá {period.title} được thực hiện theo {basis}. {counts}.",
        "Việc xếp hạng căn cứ vào tổng điểm của từng cơ quan, đơn vị, theo thứ tự từ cao đến "
        "thấp" + (", trong từng nhóm xếp hạng." if groups else "."),
    ]
    if snapshot is not None and snapshot.has_decision:
        paragraphs.append(
            f"Kết quả được phê duyệt tại Quyết định số {snapshot.decision_number} "
            f"{long_date(snapshot.issued_on)}."
        )
    elif snapshot is not None:
        paragraphs.append(
            f"Kết quả hằng quý do cơ quan chủ trì đánh giá công bố {long_date(snapshot.issued_on)},"
            " không cần quyết định phê duyệt."
        )
    else:
        paragraphs.append(
            "Kết quả trong báo cáo này là kết quả tạm tính, chưa được phê duyệt (dự thảo)."
        )
    return Section("Giới thiệu chung", tuple(paragraphs))


def _part_two(covered: list[tuple[Period, PeriodScores]]) -> list[Section]:
    """Part II: each period's results. A report of several periods gives each its own numbered
    heading, the period's own headings one level down; tables are numbered across them all."""
    numbers = _Numbers()
    if len(covered) == 1:
        period, scores = covered[0]
        return [replace(s, part=2) for s in _sections(period, scores, numbers)]
    out: list[Section] = []
    for i, (period, scores) in enumerate(covered):
        out.append(Section(f"{ROMAN[i % len(ROMAN)]}. Kết quả, xếp hạng: {period.title}", part=2))
        for section in _sections(period, scores, numbers):
            heading = _ROMAN_PREFIX.sub("", section.heading)
            out.append(replace(section, heading=heading, level=2, part=2))
    return out


_ROMAN_PREFIX = re.compile(r"^[IVX]+\. ")


def _groups(period: Period, scores: PeriodScores) -> list[tuple[str, str]]:
    present = sorted({u.group for u in scores.result.units if u.group})
    names = group_names(period, present)
    return [(code, names[code]) for code in present]


def report_content(
    period: Period,
    *,
    also: Sequence[Period] = (),
    issuer: str | None = None,
    issuer_parent: str | None = None,
    place: str | None = None,
    today: datetime.date | None = None,
) -> ReportContent:
    """The report of a period, from its approved snapshot or (a draft) its live results; with
    `also`, other periods of the same year in the same report (each its own Part II section,
    Parts I and III covering them all). The requested period's decision is the report's."""
    with translation.override("vi"):  # ranking_table's labels ("Trung bình") in Vietnamese
        scores, snapshot = final_scores(period)
        covered = [(period, scores, snapshot)]
        covered += [(other, *final_scores(other)) for other in also]
        parts = [Covered(p, s, _introduction(p, s, snap).paragraphs) for p, s, snap in covered]
        sections = [
            *part_one(parts),
            *_part_two([(p, s) for p, s, _snap in covered]),
            *part_three(parts, text := ReportText.objects.filter(period=period).first()),
        ]
    titles = "; ".join(p.title for p, _s, _snap in covered)
    subject = f"đánh giá, xếp hạng mức độ chuyển đổi số năm {period.year} ({titles})"
    return ReportContent(
        periods=tuple(p.code for p, _s, _snap in covered),
        written=tuple(
            (field, getattr(text, field) if text else "") for field in ReportText.Field.values
        ),
        period_code=period.code,
        title=f"Báo cáo kết quả {subject}",
        year=period.year,
        issuer=issuer or settings.OPENDTI_REPORT_ISSUER,
        issuer_parent=(
            issuer_parent if issuer_parent is not None else settings.OPENDTI_REPORT_ISSUER_PARENT
        ),
        place=place or settings.OPENDTI_REPORT_PLACE,
        date=snapshot.issued_on if snapshot else (today or datetime.date.today()),
        decision_number=snapshot.decision_number if snapshot else "",
        signer=snapshot.signer if snapshot else "",
        provisional=snapshot is None,
        sections=tuple(sections),
        subject=f"kết quả {subject}",
        legal_bases=_legal_bases([p for p, _s, _snap in covered], snapshot),
        recipients=(
            "Như Điều 3;",
            "Các cơ quan, đơn vị được đánh giá;",
            "Cổng Thông tin điện tử;",
            "Lưu: VT.",
        ),
    )


def _legal_bases(periods: list[Period], snapshot: Snapshot | None) -> tuple[str, ...]:
    date = snapshot.issued_on if snapshot else datetime.date.today()
    # The Law on the organisation of local government of 16 June 2025 replaced the 2015 law (as
    # amended in 2019) from 1 July 2025: a decision cites the law in force on its date.
    if date >= datetime.date(2025, 7, 1):
        law = "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"
    else:
        law = (
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, "
            "bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa "
            "phương ngày 22 tháng 11 năm 2019;"
        )
    bases = [law]
    frameworks = list({p.framework_id: p.framework for p in periods}.values())
    # The national basis before the province's own decisions, as 401/QĐ-UBND cites them.
    for national in sorted({f.national_basis.strip().rstrip(";.") for f in frameworks} - {""}):
        bases.append(f"Căn cứ {national};")
    for framework in frameworks:
        if not framework.decision_number:
            continue
        basis = f"Căn cứ Quyết định số {framework.decision_number}"
        if framework.decision_date:
            basis += f" {long_date(framework.decision_date)}"
        if framework.decision_issuer:
            basis += f" của {framework.decision_issuer}"
        bases.append(f"{basis} ban hành {framework.name};")
    bases.append("Theo đề nghị của cơ quan chủ trì đánh giá chuyển đổi số.")
    return tuple(bases)
