from django.contrib.auth import views as auth_views
from django.urls import path

from opendti.accounts.login import LoginView

from .views import (
    accounts,
    appraisal,
    audit,
    console,
    dashboard,
    explanations,
    open_data,
    report_text,
    reports,
    results,
    scorecard,
    spreadsheet,
    targets,
    timeline,
    workspace,
)

app_name = "portal"
unit = "ky/<slug:period>/don-vi/<slug:unit>/"
indicator = unit + "chi-so/<str:code>/"
evidence = unit + "tai-lieu/<int:pk>/"
review = "ky/<slug:period>/tham-dinh/"
urlpatterns = [
    path("", results.home, name="home"),
    path("ky/<slug:code>/ket-qua/", results.period_results, name="period_results"),
    path("ky/<slug:code>/tien-do/", dashboard.dashboard, name="dashboard"),
    # The coordinator's console (docs/console.md): create a period, its settings and phases, its
    # units and groups, a new framework version from XLSX (upload, difference, confirm).
    path("ky-moi/", console.period_new, name="period_new"),
    path("ky/<slug:period>/thiet-lap/", console.period_settings, name="period_settings"),
    path("ky/<slug:period>/don-vi-tham-gia/", console.participants, name="participants"),
    path("ky/<slug:period>/bo-chi-so/", console.framework_import, name="framework_import"),
    path(
        "ky/<slug:period>/bo-chi-so/xac-nhan/", console.framework_confirm, name="framework_confirm"
    ),
    # A framework from a template (bộ chỉ số mẫu): choose, supply, difference, confirm.
    path(
        "ky/<slug:period>/bo-chi-so/mau/", console.framework_templates, name="framework_templates"
    ),
    path(
        "ky/<slug:period>/bo-chi-so/mau/<slug:template>/",
        console.framework_template,
        name="framework_template",
    ),
    path(
        "ky/<slug:period>/bo-chi-so/mau/<slug:template>/xac-nhan/",
        console.framework_template_confirm,
        name="framework_template_confirm",
    ),
    # Targets and the component indicators' level bounds (docs/console.md, "Mục tiêu").
    path("ky/<slug:period>/muc-tieu/", targets.targets, name="targets"),
    path("ky/<slug:period>/muc-tieu/<int:pk>/bo/", targets.target_delete, name="target_delete"),
    path("ky/<slug:period>/muc-tieu/nguong/", targets.level_thresholds, name="level_thresholds"),
    path("ky/<slug:code>/tien-do/tai-ve.xlsx", dashboard.dashboard_export, name="dashboard_export"),
    # The programme's calendar (docs/calendar.md): phases, today, who is late; extensions.
    path("ky/<slug:period>/lich/", timeline.timeline, name="timeline"),
    path("ky/<slug:period>/lich/<int:pk>/gia-han/", timeline.phase_extend, name="phase_extend"),
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
    # The coordinator's accounts console: the units' people (docs/console.md).
    path("dieu-phoi/tai-khoan/", accounts.account_list, name="accounts"),
    path("dieu-phoi/tai-khoan/mau-excel/", accounts.account_template, name="account_template"),
    path("dieu-phoi/tai-khoan/tai-len/", accounts.account_upload, name="account_upload"),
    path("dieu-phoi/tai-khoan/tai-len/xac-nhan/", accounts.account_confirm, name="account_confirm"),
    path("dieu-phoi/tai-khoan/<int:pk>/", accounts.account_detail, name="account_detail"),
    path(
        "dieu-phoi/tai-khoan/<int:pk>/khoa/",
        accounts.account_deactivate_view,
        name="account_deactivate",
    ),
    path("dieu-phoi/tai-khoan/<int:pk>/chuyen-don-vi/", accounts.account_move, name="account_move"),
    path(
        "dieu-phoi/tai-khoan/<int:pk>/gui-loi-moi/", accounts.account_invite, name="account_invite"
    ),
    # Appraisal, reply and approval (coordinator, reviewers, approver).
    path(review, appraisal.overview, name="appraisal"),
    path(review + "phan-cong/", appraisal.assign, name="appraisal_assign"),
    path(review + "phan-cong/<int:pk>/xoa/", appraisal.unassign, name="appraisal_unassign"),
    path(review + "chuyen/", appraisal.advance, name="period_advance"),
    path(review + "xac-nhan/", appraisal.sign_off, name="round_sign_off"),
    path(review + "quyet-dinh/<int:pk>/y-kien/", appraisal.agree, name="decision_agree"),
    path(review + "<slug:unit>/", appraisal.unit_review, name="unit_review"),
    path(review + "<slug:unit>/chi-so/<str:code>/", appraisal.decide, name="decide"),
    path(review + "<slug:unit>/chap-nhan-con-lai/", appraisal.accept_rest, name="accept_rest"),
    path("ky/<slug:period>/phan-hoi/", appraisal.objections, name="objections"),
    path(
        "ky/<slug:period>/phan-hoi/<int:pk>/tra-loi/",
        appraisal.objection_answer,
        name="objection_answer",
    ),
    path("ky/<slug:period>/phe-duyet/", appraisal.approval, name="approval"),
    path("ky/<slug:period>/phe-duyet/duyet/", appraisal.approve, name="approve"),
    path("ky/<slug:period>/phe-duyet/tra-lai/", appraisal.approval_return, name="approval_return"),
    # The unit's side of the appraisal: explanations and objections.
    path(indicator + "giai-trinh/<int:pk>/", explanations.explain, name="explain"),
    path(indicator + "phan-hoi/", explanations.objection_raise, name="objection_raise"),
    # Open data (docs/open-data.md): published periods only, at stable addresses. The list comes
    # before "<period>.json" so that no period code can shadow it.
    path("du-lieu-mo/", open_data.index, name="open_data"),
    path("du-lieu-mo/danh-sach.json", open_data.period_list, name="open_data_list"),
    path("du-lieu-mo/<slug:period>.csv", open_data.period_csv, name="open_data_csv"),
    path("du-lieu-mo/<slug:period>.json", open_data.period_json, name="open_data_json"),
    path("du-lieu-mo/<slug:period>/nhung/", open_data.embed, name="open_data_embed"),
    # The period's report files (coordinator, approver, administrator).
    path("ky/<slug:period>/bao-cao/", reports.reports, name="reports"),
    path("ky/<slug:period>/bao-cao/tao/", reports.report_create, name="report_create"),
    path(
        "ky/<slug:period>/bao-cao/<int:pk>/trang-thai/", reports.report_status, name="report_status"
    ),
    path(
        "ky/<slug:period>/bao-cao/<int:pk>/tai-ve/", reports.report_download, name="report_download"
    ),
    # What the coordinator writes for the report (Part III) and the report's Word template.
    path("ky/<slug:period>/bao-cao/noi-dung/", report_text.report_text_edit, name="report_text"),
    path("dieu-phoi/mau-bao-cao/", report_text.report_template_page, name="report_template"),
    path(
        "dieu-phoi/mau-bao-cao/tai-ve/",
        report_text.report_template_download,
        name="report_template_download",
    ),
    # The security audit log (administrators).
    path("quan-tri/nhat-ky/", audit.audit_log, name="audit_log"),
    path("quan-tri/nhat-ky/tai-ve.csv", audit.audit_export, name="audit_export"),
    path("dang-nhap/", LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
]
