"""Create a user with a role, a township and, for a secretary, a village."""
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from township.models import County, Role, User
from villages.models import Township, Village


class Command(BaseCommand):
    help = "新建用户：镇党委工作人员(staff)、村党支部书记(secretary)或镇党委领导(leader)。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--township", help="所属镇名称（县级督导不填）")
        parser.add_argument("--county", help="所属县名称（县级督导必填）")
        parser.add_argument("--village", help="所属村名称（村党支部书记必填）")
        parser.add_argument("--password", required=True)

    @transaction.atomic
    def handle(self, *args, username, role, township, village, password, county=None, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名“{username}”已存在。")
        if role == Role.COUNTY:
            return self._county_user(username, county, password)
        if not township:
            raise CommandError("请用 --township 指定所属镇。")
        town = Township.objects.filter(name=township).first()
        if town is None:
            raise CommandError(f"镇“{township}”不存在，请先用 add_township 创建。")
        village_obj = None
        if role == Role.SECRETARY and not village:
            raise CommandError("村党支部书记必须指定所属村（--village）。")
        if village:
            village_obj = Village.objects.filter(township=town, name=village).first()
            if village_obj is None:
                raise CommandError(f"镇“{township}”下没有村“{village}”。")
            if role != Role.SECRETARY:
                raise CommandError("只有村党支部书记需要指定所属村。")
        user = User(username=username, role=role, township=town, village=village_obj)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from exc
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"已创建用户“{username}”（{user.get_role_display()}，{town.name}）。"))

    def _county_user(self, username, county, password):
        if not county:
            raise CommandError("县级督导必须指定所属县（--county）。")
        county_obj = County.objects.filter(name=county).first()
        if county_obj is None:
            raise CommandError(f"县“{county}”不存在，请先用 add_county 创建。")
        user = User(username=username, role=Role.COUNTY, county=county_obj)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from exc
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"已创建用户“{username}”（县级督导，{county_obj.name}）。"))
