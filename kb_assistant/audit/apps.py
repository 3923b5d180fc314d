from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kb_assistant.audit"
    label = "audit"
    verbose_name = "Audit log"
