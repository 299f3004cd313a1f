from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from opendti.core.health import healthz, readyz

urlpatterns: list[URLPattern | URLResolver] = [
    # For the load balancer and the operator (core/health.py): not translated, no prefix.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The API is not translated: one address per resource, outside the language prefixes.
    path("api/v1/", include("opendti.api.urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("tai-khoan/", include("opendti.accounts.urls")),
    path("", include("opendti.notifications.urls")),
    path("", include("opendti.portal.urls")),
    prefix_default_language=False,
)
