from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
