from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "kb_assistant.chat"
    label = "chat"
    verbose_name = "Chat"
