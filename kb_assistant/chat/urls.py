from django.urls import path, re_path

from kb_assistant.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.conversation_new, name="new"),
    path("c/<int:pk>/", views.conversation_detail, name="conversation"),
    path("c/<int:pk>/ask/", views.conversation_ask_view, name="ask"),
    path("c/<int:pk>/stop/", views.answer_stop_view, name="stop"),
    path("c/<int:pk>/rename/", views.conversation_rename_view, name="rename"),
    path("c/<int:pk>/delete/", views.conversation_delete_view, name="delete"),
    path("answers/<int:pk>/feedback/", views.message_feedback_view, name="feedback"),
    re_path(r"^citation/(?P<chunk_id>d\d+-v\d+-c\d+)/$", views.citation_detail, name="citation"),
    path("documents/<int:pk>/", views.document_read, name="document"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
