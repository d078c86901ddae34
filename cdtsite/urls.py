from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("cdtsite.api_urls")),
    path("fhir/", include("codes.fhir.urls")),
    path("", include("contributions.urls")),
    path("", include("codes.urls")),
]

handler404 = "codes.views.page_not_found"
