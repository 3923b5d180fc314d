from django.urls import path

from kb_assistant.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("export/", views.record_export, name="export"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
