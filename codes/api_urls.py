"""/api/codes/… and /api/categories/ (included by cdtsite/api_urls.py under api/)."""

from rest_framework.routers import SimpleRouter

from .apis import CategoryViewSet, CodeViewSet

router = SimpleRouter()
router.register("codes", CodeViewSet, basename="api-code")
router.register("categories", CategoryViewSet, basename="api-category")

urlpatterns = router.urls
