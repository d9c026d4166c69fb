"""Views for tests/hardening/test_sqlite_reads.py only: a read request that writes and meets the lock once."""
from django.db import OperationalError
from django.http import HttpResponse
from django.urls import path

from villages.models import Township

calls = []


def writes_then_meets_the_lock(request):
    """Writes a row, then, the first time, fails as SQLite does when another connection holds the write lock."""
    calls.append(request.method)
    Township.objects.create(name="重试镇")
    if len(calls) == 1:
        raise OperationalError("database is locked")
    return HttpResponse(str(Township.objects.filter(name="重试镇").count()))


urlpatterns = [path("reads/lock/", writes_then_meets_the_lock)]
