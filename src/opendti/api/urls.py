from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
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
    # Anything else under the API answers 404 in JSON, as the API's own 404s do (not the site's
    # HTML page): a path value with a slash, a negative id.
    re_path(r"^.*$", views.not_found),
]
