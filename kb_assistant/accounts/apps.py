from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kb_assistant.accounts"
    label = "accounts"
    verbose_name = "Accounts"
