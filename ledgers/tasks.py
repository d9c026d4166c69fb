"""Celery tasks of the ledger import: ids in, services do the work."""
from celery import shared_task

from . import services


@shared_task(acks_late=True)
def preview_import(job_id):
    services.preview_job(job_id=job_id)


@shared_task(acks_late=True)
def confirm_import(job_id):
    services.confirm_job(job_id=job_id)
