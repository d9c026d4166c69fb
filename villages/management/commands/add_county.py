"""Create a county (县) over existing townships, for county users who oversee them read-only."""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from township.models import County
from villages.models import Township


class Command(BaseCommand):
    help = "新建一个县，并指定其所辖各镇（各镇须已存在）。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="县名称")
        parser.add_argument("--townships", required=True, help="所辖镇名称，以逗号分隔")

    @transaction.atomic
    def handle(self, *args, name, townships, **options):
        name = name.strip()
        if not name:
            raise CommandError("县名称不能为空。")
        if County.objects.filter(name=name).exists():
            raise CommandError(f"县“{name}”已存在，不能重复创建。")
        names = [t.strip() for t in townships.replace("，", ",").split(",") if t.strip()]
        found = {t.name: t for t in Township.objects.filter(name__in=names)}
        missing = [n for n in names if n not in found]
        if missing:
            raise CommandError(f"以下镇不存在：{'、'.join(missing)}。请先用 add_township 创建。")
        county = County.objects.create(name=name)
        county.townships.set(found.values())
        self.stdout.write(self.style.SUCCESS(f"已创建县“{name}”，所辖{len(found)}个镇。"))
