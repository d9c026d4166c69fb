"""Unread notices repeated for the same user, kind and village-month: all but the newest are marked read,
so that the next migration's constraint (one unread notice per user, kind and village-month) holds."""
from django.db import migrations


def read_repeated_notices(apps, schema_editor):
    Notice = apps.get_model("submissions", "Notice")
    seen = set()
    repeated = []
    for notice in Notice.objects.filter(read_at__isnull=True).order_by("-created_at", "-pk").iterator():
        key = (notice.user_id, notice.kind, notice.village_id, notice.year, notice.month)
        if notice.village_id is not None and key in seen:
            repeated.append(notice.pk)
        seen.add(key)
    if repeated:
        from django.utils import timezone

        Notice.objects.filter(pk__in=repeated).update(read_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('submissions', '0003_workbook_row_changes_fingerprint_and_notice_links'),
    ]

    operations = [
        migrations.RunPython(read_repeated_notices, migrations.RunPython.noop),
    ]
