from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kb_assistant.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from kb_assistant.audit import signals  # noqa: F401 - connects the login receivers
