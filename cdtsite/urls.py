from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from cdtsite import health
from codes.findability import SITEMAPS, robots_txt

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("api/", include("cdtsite.api_urls")),
    path("fhir/", include("codes.fhir.urls")),
    path("", include("contributions.urls")),
    path("", include("codes.urls")),
]

handler400 = "cdtsite.errors.bad_request"
handler404 = "codes.views.page_not_found"
handler500 = "cdtsite.errors.server_error"
