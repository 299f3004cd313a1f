from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opendti.audit.services import Kind, audit_record

from .invitations import invitation_tokens
from .models import User
from .roles import is_administrator
from .second_factor import second_factor_reset
from .services import user_password_changed


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        user_password_changed(user=form.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


class InvitationView(auth_views.PasswordResetConfirmView):
    """The link of an invitation e-mail: choose a password, once. Django's reset view moves the
    token from the address into the session at once (so it leaks into no Referer or history)
    and applies every password rule (length, complexity, history) through the form."""

    template_name = "registration/invitation.html"
    token_generator = invitation_tokens
    reset_url_token = "dat-mat-khau"
    success_url = reverse_lazy("accounts:invitation_done")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        user_password_changed(user=form.user)
        audit_record(
            Kind.INVITATION_USED, actor=form.user, target=f"user:{form.user.get_username()}"
        )
        return response


class InvitationDoneView(auth_views.PasswordResetCompleteView):
    template_name = "registration/invitation_done.html"


def _require_administrator(request) -> None:
    # Not an administrator: the page does not exist for them.
    if not is_administrator(request.user):
        raise Http404


@login_required
def second_factor_list(request):
    """Administrators: who has a second factor, and the reset of a lost one."""
    _require_administrator(request)
    people = (
        User.objects.order_by("username")
        .prefetch_related("groups")
        .annotate(
            devices=Count("totpdevice", filter=Q(totpdevice__confirmed=True), distinct=True),
            codes_left=Count(
                "recovery_codes", filter=Q(recovery_codes__used_at__isnull=True), distinct=True
            ),
        )
    )
    return render(request, "accounts/second_factor_list.html", {"people": people})


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_reset_view(request, pk: int):
    _require_administrator(request)
    person = get_object_or_404(User, pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            second_factor_reset(
                actor=request.user, user=person, reason=request.POST.get("reason", "")
            )
        except (ValidationError, PermissionDenied) as error:
            errors = getattr(error, "messages", None) or [str(error)]
        else:
            messages.success(
                request,
                _("Đã đặt lại xác thực hai lớp của %(user)s; người này đăng ký lại khi đăng nhập.")
                % {"user": person.get_username()},
            )
            return redirect("accounts:second_factor_list")
    status = 422 if errors else 200
    return render(
        request,
        "accounts/second_factor_reset.html",
        {"person": person, "errors": errors, "reason": request.POST.get("reason", "")},
        status=status,
    )


def admin_login(request, extra_context=None):
    """The admin site's login page: the site's own login (password and second factor)."""
    return redirect_to_login(
        request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"),
        login_url=reverse("portal:login"),
    )
