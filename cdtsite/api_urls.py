from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cdtsite.api import api_not_found

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's bundle sets inline styles; its scripts still come from 'self' only.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("", include("codes.api_urls")),
    path("", include("contributions.api_urls")),
    # Anything else under /api/ answers a JSON 404, not the HTML page.
    path("", api_not_found),
    # Any character, a newline too (a path converter's `.+` stops at one).
    re_path(r"^(?P<rest>[\s\S]+)$", api_not_found),
]
