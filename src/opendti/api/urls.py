from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views, workflow

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI under the site's Content-Security-Policy: the page's template is ours
    # (templates/drf_spectacular/swagger_ui.html), its start-up script a static file.
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("frameworks/", views.FrameworkList.as_view(), name="framework_list"),
    path("frameworks/<int:pk>/", views.FrameworkDetail.as_view(), name="framework_detail"),
    path("units/", views.UnitList.as_view(), name="unit_list"),
    path("units/<str:unit>/", views.UnitDetail.as_view(), name="unit_detail"),
    path("periods/", views.PeriodList.as_view(), name="period_list"),
    path("periods/<str:period>/", views.PeriodDetail.as_view(), name="period_detail"),
    path(
        "periods/<str:period>/submissions/",
        views.SubmissionList.as_view(),
        name="submission_list",
    ),
    path(
        "periods/<str:period>/units/<str:unit>/values/",
        views.ValueList.as_view(),
        name="value_list",
    ),
    path(
        "periods/<str:period>/units/<str:unit>/evidence/",
        views.EvidenceList.as_view(),
        name="evidence_list",
    ),
    path("periods/<str:period>/results/", views.ResultList.as_view(), name="result_list"),
    path("periods/<str:period>/year-on-year/", views.YearOnYear.as_view(), name="year_on_year"),
    # The appraisal workflow (api/workflow.py).
    path(
        "periods/<str:period>/workflow/", workflow.PeriodWorkflow.as_view(), name="period_workflow"
    ),
    path(
        "periods/<str:period>/transitions/",
        workflow.PeriodTransitionCreate.as_view(),
        name="period_transition",
    ),
    path("periods/<str:period>/sign-off/", workflow.RoundSignOff.as_view(), name="period_sign_off"),
    path(
        "periods/<str:period>/units/<str:unit>/decisions/",
        workflow.DecisionList.as_view(),
        name="decision_list",
    ),
    path(
        "periods/<str:period>/units/<str:unit>/submission/submit/",
        workflow.SubmissionSubmit.as_view(),
        name="submission_submit",
    ),
    # Anything else under the API answers 404 in JSON, as the API's own 404s do (not the site's
    # HTML page): a path value with a slash, a negative id.
    re_path(r"^.*$", views.not_found),
]
