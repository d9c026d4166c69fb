"""Load the demo township 示范镇 (idempotent): villages, users and the records of 2022–2023; and its small
neighbour 青山镇 with its staff, between which and 示范镇 members are transferred."""
import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from township.models import Role, User

DEMO_PASSWORD = "demo12345"
NEIGHBOUR_STAFF = "qingshan"

# Apps whose demo module adds records, in the direction of their dependencies.
DEMO_MODULES = ["cadres.demo", "economy.demo", "study.demo", "committee.demo", "submissions.demo", "reports.demo"]


class Command(BaseCommand):
    help = "载入示范镇演示数据（可重复执行，不会重复创建）。"

    @transaction.atomic
    def handle(self, *args, **options):
        from villages import demo as village_demo

        township = village_demo.load()
        villages = list(township.villages.order_by("order"))
        self._user("staff", Role.STAFF, township)
        self._user("leader", Role.LEADER, township)
        for number, village in enumerate(villages, start=1):
            self._user(f"sec{number:02d}", Role.SECRETARY, township, village)
        neighbour = village_demo.load_neighbour()
        self._user(NEIGHBOUR_STAFF, Role.STAFF, neighbour)
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            module.load(township)
        self.stdout.write(self.style.SUCCESS(f"已载入演示数据：{township.name}，{len(villages)}个村。"))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        self.stdout.write("  staff   镇党委工作人员")
        self.stdout.write("  leader  镇党委领导")
        for number, village in enumerate(villages, start=1):
            self.stdout.write(f"  sec{number:02d}   {village.name}党支部书记")
        self.stdout.write(f"  {NEIGHBOUR_STAFF}  {neighbour.name}党委工作人员（与示范镇互有党员组织关系转接）")

    def _user(self, username, role, township, village=None):
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, "township": township, "village": village}
        )
        if not created:
            user.role, user.township, user.village = role, township, village
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user
