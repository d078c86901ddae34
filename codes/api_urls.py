"""/api/codes/… and /api/categories/ (included by cdtsite/api_urls.py under api/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .apis import CategoryViewSet, ClaimCheckApi, CodeViewSet

router = SimpleRouter()
router.register("codes", CodeViewSet, basename="api-code")
router.register("categories", CategoryViewSet, basename="api-category")

urlpatterns = [
    # Before the router: "validate" would otherwise be read as a code number.
    path("codes/validate/", ClaimCheckApi.as_view(), name="api-codes-validate"),
    *router.urls,
]
