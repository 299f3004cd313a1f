from django.urls import path

from . import login, views

app_name = "accounts"
urlpatterns = [
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # An invitation's one-time link to choose a password (accounts/invitations.py).
    path("loi-moi/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
    path("loi-moi/xong/", views.InvitationDoneView.as_view(), name="invitation_done"),
    # The second step of a login (the session is not logged in yet).
    path("xac-thuc/", login.second_factor, name="second_factor"),
    path("xac-thuc/dang-ky/", login.second_factor_enrol, name="second_factor_enrol"),
    path("xac-thuc/ma-khoi-phuc/", login.recovery_codes, name="recovery_codes"),
    # Administrators: second factors of the accounts, and the reset of a lost one.
    path("quan-tri/xac-thuc/", views.second_factor_list, name="second_factor_list"),
    path(
        "quan-tri/xac-thuc/<int:pk>/dat-lai/",
        views.second_factor_reset_view,
        name="second_factor_reset",
    ),
]
