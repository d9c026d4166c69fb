"""Create a township and its villages for a real deployment."""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from villages.models import PartyBranch, Township, Village


class Command(BaseCommand):
    help = "新建一个镇及其各村（每村同时建立党支部）。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="镇名称")
        parser.add_argument("--villages", default="", help="村名称，以逗号分隔，例如 江南村,联星村")

    @transaction.atomic
    def handle(self, *args, name, villages, **options):
        name = name.strip()
        if not name:
            raise CommandError("镇名称不能为空。")
        if Township.objects.filter(name=name).exists():
            raise CommandError(f"镇“{name}”已存在，不能重复创建。")
        names = [v.strip() for v in villages.replace("，", ",").split(",") if v.strip()]
        duplicates = sorted({v for v in names if names.count(v) > 1})
        if duplicates:
            raise CommandError(f"村名称重复：{'、'.join(duplicates)}。")
        township = Township.objects.create(name=name)
        for order, village_name in enumerate(names, start=1):
            village = Village.objects.create(township=township, name=village_name, order=order)
            PartyBranch.objects.create(village=village, name=f"{village_name}党支部")
        self.stdout.write(self.style.SUCCESS(f"已创建镇“{name}”，含{len(names)}个村。"))
