"""/healthz/ for a load balancer: the database answers, the migrations are applied, Redis answers when one
is configured. Unauthenticated, so it says nothing else: which check failed, never why (the reason is logged)."""
from __future__ import annotations

import asyncio
import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of the code that runs is applied to the database."""

    def run(self):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise ServiceUnavailable("未应用的数据库迁移")


def redis_url() -> str | None:
    """The Redis this deployment uses (cache or Celery broker), if any."""
    for url in (getattr(settings, "REDIS_URL", None), getattr(settings, "CELERY_BROKER_URL", "")):
        if url and str(url).startswith(("redis://", "rediss://")):
            return url
    return None


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class HealthView(View):
    """A plain synchronous view: the checks run concurrently on an event loop of their own, in a thread of
    their own, so the view answers the same under gunicorn's sync workers and in a thread that already runs
    an event loop (a test process that drives a browser does)."""

    def get_checks(self):
        checks = [Database(), Migrations()]
        url = redis_url()
        if url:
            from health_check.contrib.redis import Redis
            from redis.asyncio import Redis as RedisClient

            checks.append(Redis(client_factory=lambda: RedisClient.from_url(url)))
        return checks

    def run_checks(self):
        checks = self.get_checks()

        async def gather():
            return await asyncio.gather(*(check.get_result() for check in checks))

        with ThreadPoolExecutor(max_workers=1) as runner:
            return runner.submit(asyncio.run, gather()).result()

    @method_decorator(never_cache)
    def get(self, request, *args, **kwargs):
        results = self.run_checks()
        failing = [type(result.check).__name__.lower() for result in results if result.error]
        for result in results:
            if result.error:
                logger.error("health check %s failed: %s", type(result.check).__name__, result.error)
        if failing:
            return JsonResponse({"status": "unavailable", "failing": failing}, status=503)
        return JsonResponse({"status": "ok"})
