from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from opendti.periods.models import Period
from opendti.results.services import period_score

from .access import access_period_results, can_view_provisional_results


def home(request):
    periods = []
    if can_view_provisional_results(request.user):
        periods = list(Period.objects.select_related("framework__level").order_by("-year", "code"))
    return render(request, "portal/home.html", {"periods": periods})


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
            "findings": result.findings,
        },
    )
