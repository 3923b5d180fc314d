from django.urls import path

from ingestion import views

app_name = "kb"
urlpatterns = [
    path("", views.document_list_view, name="list"),
    path("status.json", views.document_status_view, name="status"),
    path("stop", views.documents_stop_view, name="stop"),
    path("resume", views.documents_resume_view, name="resume"),
    path("<int:pk>/", views.document_detail_view, name="detail"),
    path("<int:pk>/version", views.document_new_version_view, name="new_version"),
    path("<int:pk>/reingest", views.document_reingest_view, name="reingest"),
    path("<int:pk>/delete", views.document_delete_view, name="delete"),
    path("<int:pk>/file", views.document_file_view, name="file"),
]
