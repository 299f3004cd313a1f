"""The home page and a period's results: the ranking and the robustness of ranks. Published
results are public; what a user reads (snapshot or live) is decided in publication.selectors."""

from collections.abc import Sequence
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from opendti.assessments.access import (
    is_coordinator,
    submission_deadline,
    submission_list_visible_to,
)
from opendti.core.vietnamese import search_matches, sort_key
from opendti.periods.models import Period
from opendti.periods.names import group_choices
from opendti.publication.selectors import YearReader, published_periods
from opendti.results import band_detail, charts, derived
from opendti.results.access import can_view_provisional_results, reads_results_as_public
from opendti.results.levels import classify, level_rows, period_thresholds, thresholds_text
from opendti.results.multi_year import group_averages
from opendti.results.quarters import ranking_quarters
from opendti.results.rankings import TOTAL, ranking_table, views
from opendti.results.services import year_on_year_groups
from opendti.results.targets import period_progress
from opendti.scoring.robustness import rank_robustness

from .. import published
from ..access import access_results

# The engine names a finding by its kind; people read it in their language.
FINDING_LABELS = {
    "node_sum": _("Điểm được nhập khác tổng các chỉ số thành phần"),
    "pillar_sum": _("Điểm trụ cột được nhập khác tổng các chỉ số của trụ cột"),
    "total_sum": _("Tổng điểm được nhập khác tổng các chỉ số chính"),
    "out_of_bounds": _("Giá trị nằm ngoài giới hạn cho phép"),
    "ratio_over_100": _("Tử số lớn hơn mẫu số (tỷ lệ trên 100%)"),
    "missing": _("Thiếu số liệu"),
}


def home(request):
    periods = []
    if can_view_provisional_results(request.user):
        periods = list(Period.objects.select_related("framework__level").order_by("-year", "code"))
    work = []
    if request.user.is_authenticated and not is_coordinator(request.user):
        work = list(submission_list_visible_to(request.user))
    # The periods open for self-assessment now, first on the page, with their deadline.
    open_work = [
        (submission, deadline)
        for submission in work
        if (deadline := submission_deadline(submission)) is not None
    ]
    return render(
        request,
        "portal/home.html",
        {
            "periods": periods,
            "work": work,
            "open_work": open_work,
            "coordinator": is_coordinator(request.user),
            "published": published_periods(),
        },
    )


SORTS = {
    "hang": lambda r: (r.rank is None, r.rank or 0, sort_key(r.name)),
    "ten": lambda r: sort_key(r.name),
    "diem": lambda r: (r.score is None, r.score or 0),
    "tyle": lambda r: (r.percent is None, r.percent or 0),
    "thaydoi": lambda r: (r.change is None, r.change or 0),
}
PAGE_SIZE = 100


def _sort_key(table, key: str):
    if key in SORTS:
        return SORTS[key]
    if key.startswith("p-"):
        index = [c.key for c in table.parts].index(key[2:])
        return lambda r: (r.parts[index] is None, r.parts[index] or 0)
    raise ValueError(key)


def _ranking_charts(
    scores, view: str, group: str | None, group_name: str = "", page_units: set[str] | None = None
) -> dict:
    """The charts of the ranking page (total view only: they are drawn on totals and bands).
    With `page_units` (a ranking longer than a page), the ranking chart draws the page's units
    only: a bar per unit of a national period (3,400) reads as nothing and weighs megabytes."""
    if view != TOTAL:
        return {}
    bands = _band_labels(scores.assessment, TOTAL)
    return {
        "ranking": charts.ranking_chart(
            scores.result, bands=bands, group=group, group_name=group_name, only=page_units
        ),
        "mains": charts.main_index_chart(scores.assessment, scores.result, only=page_units),
        "bands": charts.band_distribution_chart(scores.result, bands) if bands else None,
    }


def _band_labels(assessment, view: str) -> list[str]:
    framework = assessment.framework
    scheme = framework.total_bands if view == TOTAL else None
    if any(p.code == view for p in framework.pillars):
        scheme = framework.pillar_bands
    return [b.label for b in scheme.bands] if scheme else []


RANKING_FILTERS = {"xem", "nhom", "muc", "sap-xep", "chieu", "trang"}


def period_results(request, code: str):
    """A published period's ranking is kept rendered (portal/published.py); searching by name
    (`q`, free text) renders it without keeping it."""
    served = published.serve(
        request,
        code,
        view="ranking",
        render=lambda public, _snapshot: _period_results(public, code),
        reads_as_public=lambda user, _snapshot: reads_results_as_public(user),
        keep=published.keepable(request.GET, RANKING_FILTERS),
    )
    return served if served is not None else _period_results(request, code)


def _sorted_rows(table, query: str, band: str, sort: str, descending: bool) -> list:
    rows = list(table.rows)
    if query:
        # Without accents or case: "hoa binh" finds "UBND xã Hòa Bình" (core.vietnamese).
        rows = [r for r in rows if search_matches(r.name, query) or query.lower() in r.unit]
    if band:
        rows = [r for r in rows if r.band == band]
    rows.sort(key=_sort_key(table, sort), reverse=descending)
    return rows


def _period_results(request, code: str):
    source = access_results(request.user, code)
    period = source.period
    scores = source.scores()
    # What is worked out over every unit is kept per results (results.derived): a request does
    # the work of its page's units only.
    results_key = source.computed().key
    groups = group_choices(period, {u.group for u in scores.result.units})
    group_name = dict(groups).get(request.GET.get("nhom") or "", "")
    group = (request.GET.get("nhom") or None) if group_name else None
    view = request.GET.get("xem") or TOTAL
    try:
        table = derived.kept(
            results_key,
            "ranking",
            lambda: ranking_table(
                scores.assessment, scores.result, view=view, group=group, change=scores.change
            ),
            against=scores.change,
            extra=(view, group),
        )
    except KeyError:
        raise Http404 from None
    query = (request.GET.get("q") or "").strip()
    band = request.GET.get("muc") or ""
    sort = request.GET.get("sap-xep") or "hang"
    descending = request.GET.get("chieu") == "giam"
    try:
        _sort_key(table, sort)
    except ValueError:
        sort = "hang"
    # Numbers read best from the top: a score column sorts highest first unless asked otherwise.
    if sort not in ("hang", "ten") and request.GET.get("chieu") is None:
        descending = True
    rows: Sequence
    if query:  # free text: filtered each time, not kept
        rows = _sorted_rows(table, query, band, sort, descending)
    else:
        rows = derived.kept(
            results_key,
            "ranking-rows",
            lambda: tuple(_sorted_rows(table, "", band, sort, descending)),
            against=scores.change,
            extra=(view, group, band, sort, descending),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    # A ranking longer than a page: its charts and findings show the page's units.
    shown = {row.unit for row in page}
    page_units = shown if page.paginator.num_pages > 1 else None
    reader = YearReader(request.user, first=source)
    quarters = ranking_quarters(period=period, read=reader)
    # Each group's average across the years the user may see (results.multi_year).
    years = group_averages(
        period, scores.result, lambda p: found[1] if (found := reader(p)) is not None else None
    )
    year_on_year = derived.kept(
        results_key,
        "year-on-year",
        lambda: year_on_year_groups(period=period, scores=scores),
        against=scores.change,
        extra=tuple(groups),  # the groups' names, which are not results
    )
    targets = period_progress(period, scores.assessment, scores.result)
    thresholds = period_thresholds(period)
    classification = derived.kept(
        results_key,
        "levels",
        lambda: classify(scores.assessment, scores.result, thresholds),
        extra=(thresholds,),
    )

    def build_parts() -> dict:
        return _page_parts(
            period, scores, table, page, page_units, groups, group, group_name, classification
        )

    # The parts of the page drawn from its units (rows, charts, levels, findings): rendered once
    # per results and page; a search by name is rendered each time.
    parts = (
        build_parts()
        if query
        else derived.kept(
            results_key,
            "ranking-page",
            build_parts,
            against=scores.change,
            extra=(
                *(period.code, view, tuple(groups), group, band, sort, descending),
                *(page.number, thresholds),
            ),
            page=True,
        )
    )
    params = request.GET.copy()
    params.pop("trang", None)
    sort_params = params.copy()
    for name in ("sap-xep", "chieu"):
        sort_params.pop(name, None)
    return render(
        request,
        "portal/period_results.html",
        {
            "period": period,
            "source": source,
            "table": table,
            "page": page,
            "views": views(scores.assessment),
            "groups": groups,
            "group": group,
            "group_name": group_name,
            "bands": [
                b.label
                for b in (
                    scores.assessment.framework.total_bands.bands
                    if scores.assessment.framework.total_bands
                    else ()
                )
            ],
            "band": band,
            "query": request.GET.get("q", ""),
            "sort": sort,
            "descending": descending,
            "query_string": params.urlencode(),
            "sort_query": sort_params.urlencode(),
            "has_change": scores.change is not None,
            "year_on_year": year_on_year,
            # Every unit that changed band, in every group: rendered once per results.
            "year_on_year_groups": derived.kept(
                results_key,
                "year-on-year-html",
                lambda: render_to_string(
                    "portal/year_on_year_groups.html", {"year_on_year": year_on_year}
                ),
                against=scores.change,
                extra=tuple(groups),
            )
            if year_on_year
            else "",
            "year_on_year_chart": charts.year_on_year_chart([g for g, _s in year_on_year])
            if year_on_year
            else None,
            "charts": parts["charts"],
            "page_parts": parts,
            "paged": page_units is not None,
            "multi_year_chart": charts.multi_year_chart(years) if len(years.labels) > 1 else None,
            "quarters": quarters,
            # The quarters' rows in the order of this page's rows.
            "quarter_rows": [
                (
                    row,
                    list(
                        zip(
                            quarters.totals.get(row.unit, ()),
                            quarters.bands.get(row.unit, ()),
                            strict=True,
                        )
                    ),
                )
                for row in page
            ]
            if quarters is not None
            else [],
            "most_improved": [scores.result.unit(code).name for code in table.most_improved],
            # Progress against the targets of the units on this page, and each group target's
            # count (results.targets); the component indicators by level (results.levels).
            "target_lines": [line for line in targets.lines if line.unit in shown],
            "target_groups": [g for g in targets.groups if group is None or g.subject == group],
            "has_levels": classification.overall.total > 0,
            "percent_note": band_detail.note(),
            "findings_shown": parts["findings_shown"],
            "findings_total": len(scores.result.findings),
        },
    )


def _page_parts(
    period, scores, table, page, page_units, groups, group, group_name, classification
) -> dict:
    """The page's rows, charts, component levels and findings, rendered (the parts that grow
    with the page's units)."""
    scheme = scores.assessment.framework.total_bands
    bands = [b.label for b in scheme.bands] if scheme else []
    charts = _ranking_charts(scores, table.view, group, group_name, page_units)
    # The findings of the units on this page (all of them when there is one page): a national
    # period's thousands are in the open data, not on every page.
    findings = [
        {
            "finding": f,
            "label": FINDING_LABELS.get(f.kind, f.kind),
            "unit_name": scores.result.unit(f.unit).name,
        }
        for f in scores.result.findings
        if page_units is None or f.unit in page_units
    ]
    levels = {
        "section_id": "component-levels",
        "first_header": _("Cơ quan, đơn vị"),
        "level_columns": classification.columns(),
        "level_rows": level_rows(
            classification,
            [(row.unit, row.name) for row in page],
            [(code, name) for code, name in groups if group is None or code == group],
        ),
        "levels_text": thresholds_text(classification.thresholds),
    }
    rows = {
        "page": page,
        "period": period,
        "table": table,
        "bands": bands,
        "has_change": scores.change is not None,
    }
    return {
        "rows": render_to_string("portal/ranking_rows.html", rows),
        "charts": charts,
        "charts_html": render_to_string("portal/ranking_charts.html", {"charts": charts}),
        "levels": render_to_string("portal/level_counts.html", levels),
        "findings": render_to_string("portal/ranking_findings.html", {"findings": findings}),
        "findings_shown": len(findings),
    }


SPREADS = {"10": Decimal("0.1"), "20": Decimal("0.2"), "30": Decimal("0.3")}


def robustness(request, code: str):
    """How stable each rank is when the main-index weights vary (Monte Carlo, seeded)."""
    source = access_results(request.user, code)
    period = source.period
    assessment, result = source.scores().assessment, source.scores().result
    groups = group_choices(period, {u.group for u in result.units})
    group = request.GET.get("nhom") or None
    if group not in dict(groups):
        group = None
    spread = request.GET.get("bien-dong", "20")
    if spread not in SPREADS:
        spread = "20"
    intervals = rank_robustness(assessment, result, spread=SPREADS[spread], group=group)
    names = {u.code: u.name for u in result.units}
    return render(
        request,
        "portal/robustness.html",
        {
            "period": period,
            "source": source,
            "rows": [{"interval": i, "name": names[i.unit]} for i in intervals],
            "groups": groups,
            "group": group,
            "spread": spread,
            "spreads": list(SPREADS),
            "draws": 1000,
        },
    )
