"""Celery tasks of the monthly workbook: they take ids and call a service."""
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from township.models import User

from . import services
from .models import Submission, SubmissionStatus

logger = logging.getLogger(__name__)


@shared_task
def preview_submission_task(submission_id):
    try:
        services.submission_preview(submission=Submission(pk=submission_id))
    except Submission.DoesNotExist:
        return
    except Exception:  # a file we failed to read must leave a message, never a stuck "processing"
        logger.exception("preview of submission %s failed", submission_id)
        services.submission_failed(submission_id=submission_id,
                                   message="检查报表时发生意外错误，未保存任何内容。请重新上传，或联系镇党委工作人员。")


@shared_task
def confirm_submission_task(submission_id, user_id):
    submission = Submission.objects.filter(pk=submission_id).first()
    user = User.objects.filter(pk=user_id).first()
    if submission is None or user is None:
        return
    try:
        services.submission_confirm(submission=submission, user=user)
    except services.SubmissionRefused as exc:
        Submission.objects.filter(pk=submission_id, status=SubmissionStatus.CONFIRMING).update(
            status=SubmissionStatus.PREVIEW, message=exc.message)
    except Exception:
        logger.exception("confirm of submission %s failed", submission_id)
        Submission.objects.filter(pk=submission_id, status=SubmissionStatus.CONFIRMING).update(
            status=SubmissionStatus.PREVIEW, message="提交时发生意外错误，未保存任何内容，请稍后重试。")


@shared_task
def send_reminders_task():
    return services.send_reminders()


def runs_inline():
    """Whether tasks run in this process (the embedded default) rather than on a worker."""
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True))


def queue_preview(submission):
    """Check the upload now (eager) or after the upload's transaction commits (worker)."""
    if runs_inline():
        preview_submission_task.apply(args=[submission.pk])
    else:
        transaction.on_commit(lambda: preview_submission_task.delay(submission.pk))


def queue_confirm(submission, user):
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.CONFIRMING, message="")
    transaction.on_commit(lambda: confirm_submission_task.delay(submission.pk, user.pk))
