from django.contrib.auth import views as auth_views
from django.urls import path

from .views import dashboard, results, scorecard, spreadsheet, workspace

app_name = "portal"
unit = "ky/<slug:period>/don-vi/<slug:unit>/"
indicator = unit + "chi-so/<str:code>/"
evidence = unit + "tai-lieu/<int:pk>/"
urlpatterns = [
    path("", results.home, name="home"),
    path("ky/<slug:code>/ket-qua/", results.period_results, name="period_results"),
    path("ky/<slug:code>/tien-do/", dashboard.dashboard, name="dashboard"),
    path("ky/<slug:code>/ket-qua/do-on-dinh/", results.robustness, name="robustness"),
    path("ky/<slug:code>/ket-qua/don-vi/<slug:unit>/", scorecard.scorecard, name="scorecard"),
    path(
        "ky/<slug:code>/ket-qua/don-vi/<slug:unit>/mo-phong/",
        scorecard.what_if,
        name="what_if",
    ),
    path(unit, workspace.workspace, name="workspace"),
    path(indicator + "luu/", workspace.indicator_save, name="indicator_save"),
    path(indicator + "xem-truoc/", workspace.preview, name="indicator_preview"),
    path(indicator + "lich-su/", workspace.indicator_history, name="indicator_history"),
    path(indicator + "xac-nhan/", workspace.indicator_confirm, name="indicator_confirm"),
    path(unit + "tai-lieu/", workspace.evidence_add, name="evidence_add"),
    path(evidence, workspace.evidence_download, name="evidence_download"),
    path(evidence + "xac-nhan/", workspace.evidence_confirm, name="evidence_confirm"),
    path(evidence + "gan/", workspace.evidence_link, name="evidence_link"),
    path(unit + "phan-cong/", workspace.index_assign, name="index_assign"),
    path(unit + "nhap-tiep/", workspace.carry_over, name="carry_over"),
    path(unit + "mau-excel/", spreadsheet.template, name="excel_template"),
    path(unit + "tai-len-excel/", spreadsheet.upload, name="excel_upload"),
    path(unit + "tai-len-excel/ap-dung/", spreadsheet.apply, name="excel_apply"),
    path(unit + "gui/", workspace.submit, name="submit"),
    path(unit + "thu-hoi/", workspace.recall, name="recall"),
    path(unit + "mo-lai/", workspace.reopen, name="reopen"),
    path(unit + "nhac-nho/", workspace.remind, name="remind"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
]
