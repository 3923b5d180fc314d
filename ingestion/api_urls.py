from rest_framework.routers import DefaultRouter

from ingestion.api import DocumentViewSet

router = DefaultRouter()
router.register("documents", DocumentViewSet, basename="document")
urlpatterns = router.urls
