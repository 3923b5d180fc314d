from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from kb_assistant import health, views
from kb_assistant.accounts.views import language_set

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", language_set, name="language"),
    path("healthz", health.healthz, name="healthz"),
    path("kb/", include("ingestion.urls")),
    path("audit/", include("kb_assistant.audit.urls")),
    path("chat/", include("kb_assistant.chat.urls")),
    path("v1/", include("kb_assistant.chat.openai_urls")),
    path("api/", include("ingestion.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]
