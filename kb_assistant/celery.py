import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb_assistant.settings")

app = Celery("kb_assistant")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
