from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [path("i18n/", include("django.conf.urls.i18n"))]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("tai-khoan/", include("opendti.accounts.urls")),
    path("", include("opendti.portal.urls")),
    prefix_default_language=False,
)
