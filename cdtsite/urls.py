from django.contrib import admin
from django.urls import include, path

from cdtsite import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("cdtsite.api_urls")),
    path("", include("contributions.urls")),
    path("", include("codes.urls")),
]

handler400 = "cdtsite.errors.bad_request"
handler404 = "codes.views.page_not_found"
handler500 = "cdtsite.errors.server_error"
