"""The coordinator's accounts console: the units' people (focal points and leaders), created
from an Excel list with a preview, invited by e-mail, locked, or moved to another unit.

Only coordinators (and administrators) see these pages; anyone else gets 404, as for a page that
does not exist. The work itself is in portal/accounts_import.py, periods/affiliations.py and
accounts/services.py, accounts/invitations.py.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opendti.accounts.invitations import invitations_send
from opendti.accounts.models import User
from opendti.accounts.roles import FOCAL_POINT, UNIT_LEADER
from opendti.accounts.services import account_deactivate
from opendti.assessments.access import is_coordinator
from opendti.periods.affiliations import affiliation_move, current_affiliation
from opendti.units.models import Affiliation, Unit

from .. import accounts_import
from .workspace import htmx_login_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAN_KEY = "opendti-accounts-plan"


def _require_coordinator(request) -> None:
    if not is_coordinator(request.user):
        raise Http404


def _unit_people():
    """The people the console manages: the units' own (by role or by a place in a unit)."""
    return User.objects.filter(
        Q(groups__name__in=(FOCAL_POINT, UNIT_LEADER)) | Q(affiliations__isnull=False)
    ).distinct()


def _person(pk: int) -> User:
    return get_object_or_404(_unit_people(), pk=pk)


class MoveForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.order_by("name"),
        label=gettext_lazy("Đơn vị mới"),
        to_field_name="code",
    )
    role = forms.ChoiceField(choices=Affiliation.Role.choices, label=gettext_lazy("Vai trò"))
    reason = forms.CharField(
        label=gettext_lazy("Lý do"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


@require_GET
@htmx_login_required
def account_list(request):
    _require_coordinator(request)
    open_places = Prefetch(
        "affiliations",
        queryset=Affiliation.objects.filter(ended_at__isnull=True).select_related("unit"),
        to_attr="open_places",
    )
    people = list(
        _unit_people().prefetch_related(open_places, "groups").order_by("full_name", "username")
    )
    return render(
        request,
        "portal/accounts/list.html",
        {"people": people, "header": accounts_import.HEADER},
    )


@require_GET
@htmx_login_required
def account_template(request):
    _require_coordinator(request)
    response = HttpResponse(accounts_import.accounts_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="danh-sach-tai-khoan.xlsx"'
    return response


@require_POST
@htmx_login_required
def account_upload(request):
    _require_coordinator(request)
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, _("Chưa chọn tệp."))
        return redirect("portal:accounts")
    request.session.pop(PLAN_KEY, None)
    try:
        plan = accounts_import.accounts_plan(file=file, name=file.name)
    except ValidationError as error:
        return render(
            request, "portal/accounts/preview.html", {"refused": error.messages}, status=422
        )
    if plan.valid:
        request.session[PLAN_KEY] = [row.session() for row in plan.rows]
    return render(
        request, "portal/accounts/preview.html", {"plan": plan}, status=200 if plan.valid else 422
    )


@require_POST
@htmx_login_required
def account_confirm(request):
    _require_coordinator(request)
    saved = request.session.pop(PLAN_KEY, None)
    if not saved:
        messages.error(request, _("Không còn danh sách nào chờ xác nhận; hãy tải tệp lên lại."))
        return redirect("portal:accounts")
    try:
        created = accounts_import.accounts_create(saved=saved, actor=request.user)
    except ValidationError as error:
        return render(
            request, "portal/accounts/preview.html", {"refused": error.messages}, status=422
        )
    result = invitations_send(created, actor=request.user)
    return render(request, "portal/accounts/created.html", {"created": created, "result": result})


@require_GET
@htmx_login_required
def account_detail(request, pk: int):
    _require_coordinator(request)
    person = _person(pk)
    place = current_affiliation(person)
    initial = {"unit": place.unit.code, "role": place.role} if place is not None else {}
    return render(
        request,
        "portal/accounts/detail.html",
        {
            "person": person,
            "place": place,
            "places": Affiliation.objects.filter(user=person)
            .select_related("unit", "started_by", "ended_by")
            .order_by("-started_at", "-pk"),
            "memberships": person.memberships.select_related(
                "participation__period", "participation__unit"
            ).order_by("-participation__period__year", "participation__period__code"),
            "move_form": MoveForm(initial=initial),
            "deactivate_form": DeactivateForm(),
        },
    )


@require_POST
@htmx_login_required
def account_deactivate_view(request, pk: int):
    _require_coordinator(request)
    person = _person(pk)
    form = DeactivateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy ghi lý do khóa tài khoản."))
        return redirect("portal:account_detail", pk=person.pk)
    ended = account_deactivate(user=person, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(
        request,
        _("Đã khóa tài khoản %(user)s; %(n)d phiên làm việc đã kết thúc.")
        % {"user": person.get_username(), "n": ended},
    )
    return redirect("portal:account_detail", pk=person.pk)


@require_POST
@htmx_login_required
def account_move(request, pk: int):
    _require_coordinator(request)
    person = _person(pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("portal:account_detail", pk=person.pk)
    unit = form.cleaned_data["unit"]
    affiliation_move(
        user=person,
        unit=unit,
        role=form.cleaned_data["role"],
        actor=request.user,
        reason=form.cleaned_data["reason"],
    )
    messages.success(
        request,
        _("Đã chuyển %(user)s sang %(unit)s.") % {"user": person.get_username(), "unit": unit.name},
    )
    return redirect("portal:account_detail", pk=person.pk)


@require_POST
@htmx_login_required
def account_invite(request, pk: int):
    """Send the invitation again (a lost e-mail, an expired link): only while the person has
    not set a password yet."""
    _require_coordinator(request)
    person = _person(pk)
    if person.has_usable_password() or not person.is_active:
        messages.error(
            request, _("Tài khoản này đã đặt mật khẩu hoặc đã bị khóa: không gửi thư mời.")
        )
        return redirect("portal:account_detail", pk=person.pk)
    result = invitations_send([person], actor=request.user)
    if result.sent:
        messages.success(request, _("Đã gửi thư mời tới %(email)s.") % {"email": person.email})
    elif result.without_email:
        messages.error(request, _("Tài khoản không có thư điện tử: không gửi được thư mời."))
    else:
        messages.error(request, _("Máy chủ thư không gửi được thư mời; hãy thử lại sau."))
    return redirect("portal:account_detail", pk=person.pk)
