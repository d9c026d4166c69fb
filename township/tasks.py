from celery import shared_task


@shared_task
def ping():
    """Returns "pong": lets operators and CI check that a worker takes tasks from the broker."""
    return "pong"
