from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from opendti.assessments.access import is_coordinator, submission_list_visible_to
from opendti.periods.models import Period
from opendti.results.services import period_score

from ..access import access_period_results, can_view_provisional_results

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
    return render(
        request,
        "portal/home.html",
        {"periods": periods, "work": work, "coordinator": is_coordinator(request.user)},
    )


@login_required
def period_results(request, code: str):
    period = access_period_results(request.user, code)
    assessment, result = period_score(period=period)
    mains = [n for n in assessment.framework.nodes if n.kind == "main"]
    rows = sorted(result.units, key=lambda u: (u.rank is None, u.rank or 0, u.code))
    return render(
        request,
        "portal/period_results.html",
        {
            "period": period,
            "mains": mains,
            "pillars": assessment.framework.pillars,
            "rows": [
                {
                    "unit": u,
                    "mains": [u.nodes[n.code] for n in mains],
                    "pillars": [u.pillars[p.code] for p in assessment.framework.pillars],
                }
                for u in rows
            ],
            "averages": result.averages,
            "average_mains": [result.averages.nodes[n.code] for n in mains],
            "average_pillars": [
                result.averages.pillars[p.code] for p in assessment.framework.pillars
            ],
            "band_counts": result.band_counts,
            "findings": [
                {"finding": f, "label": FINDING_LABELS.get(f.kind, f.kind)} for f in result.findings
            ],
        },
    )
