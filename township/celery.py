"""The Celery app. Tasks take ids and call a service (see conventions.md)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "township.settings")

app = Celery("township")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
