from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kb_assistant.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from kb_assistant.accounts import schema  # noqa: F401 - registers the OpenAPI extension
