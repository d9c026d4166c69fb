"""Synthetic townships for scale tests: realistic volumes, written in bulk (no per-row saves).

Bulk writes skip django-simple-history on purpose: this is benchmark data, not records
anyone entered, and history would double the volume without changing what the pages read.
"""
import datetime
import random
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cadres.id_numbers import check_digit
from cadres.models import (
    DuesCategory,
    MemberDues,
    Person,
    ReserveCadre,
    Stage,
    StageChange,
    Talent,
    TalentKind,
    expected_dues,
)
from committee.models import Bulletin, BulletinKind, Problem, TownshipTarget
from economy.models import IncomeCategory, IncomeRecord, TownshipEconomyTarget, VillageIncomeTarget
from study.models import OrgLifeEvent, OrgLifeKind, StudyActivity, StudyKind
from township.models import Role, User
from villages.models import PartyBranch, StarRating, Township, Village, VillageMonth, VillageMonthStatus

VILLAGES_PER_TOWNSHIP = 12
MEMBERS_PER_VILLAGE = 40
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏飞斌宇浩凯健俊帆帅旭宁龙林欣佳"
BATCH = 5000

# How many study activities of each kind a township holds in a year (the reference's proportions).
STUDY_KINDS = {
    StudyKind.CENTRAL_GROUP: 5, StudyKind.SEMINAR_EXCHANGE: 2, StudyKind.CONCENTRATED: 260,
    StudyKind.TOPIC_SEMINAR: 20, StudyKind.WARNING_VISIT: 4, StudyKind.DELIVERED_STUDY: 3,
    StudyKind.THEME_DAY: 24, StudyKind.NIGHT_SCHOOL: 10,
}


class Command(BaseCommand):
    help = "生成用于规模测试的合成数据：N个镇（每镇12个村）× Y年的各类记录。"

    def add_arguments(self, parser):
        parser.add_argument("--townships", type=int, required=True)
        parser.add_argument("--years", type=int, default=1)
        parser.add_argument("--end-year", type=int, default=2023)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--prefix", default="合成", help="镇名前缀；已存在同名镇时报错")
        parser.add_argument("--first", type=int, default=1,
                            help="第一个镇的编号（镇名、用户名和身份证号地区码都由编号决定），用于在已有合成数据上追加")

    def handle(self, *args, townships, years, end_year, seed, prefix, first=1, **options):
        if townships < 1 or years < 1 or first < 1:
            raise CommandError("--townships、--years 和 --first 必须大于0。")
        numbers = range(first, first + townships)
        names = [f"{prefix}{n:04d}镇" for n in numbers]
        if Township.objects.filter(name__in=names).exists():
            raise CommandError(f"已存在以“{prefix}”开头的合成镇，请换一个 --prefix 或先清空数据库。")
        started = time.perf_counter()
        self.password = make_password("demo12345")
        year_list = list(range(end_year - years + 1, end_year + 1))
        total = 0
        for index, name in zip((n - 1 for n in numbers), names, strict=True):
            # One generator per township: township N has the same records however it was built
            # (all at once, or appended with --first), so a bench measures the same township at every size.
            self.rng = random.Random(seed * 1_000_003 + index)
            with transaction.atomic():
                total += self._township(index, name, year_list)
        self.stdout.write(self.style.SUCCESS(
            f"已生成{townships}个镇 × {years}年，共{total}行，用时{time.perf_counter() - started:.1f}秒。"
        ))

    # ------------------------------------------------------------------

    def _bulk(self, model, rows):
        model.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def _name(self):
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def _township(self, index, name, year_list):
        rng = self.rng
        township = Township.objects.create(name=name)
        villages = Village.objects.bulk_create(
            [Village(township=township, name=f"第{v:02d}村", order=v) for v in range(1, VILLAGES_PER_TOWNSHIP + 1)]
        )
        if not villages[0].pk:  # backends without RETURNING ids
            villages = list(township.villages.order_by("order"))
        branches = PartyBranch.objects.bulk_create(
            [PartyBranch(village=v, name=f"{v.name}党支部", member_count=MEMBERS_PER_VILLAGE) for v in villages]
        )
        if not branches[0].pk:
            branches = list(PartyBranch.objects.filter(village__township=township).order_by("village__order"))
        users = [User(username=f"synth{index + 1:04d}-staff", role=Role.STAFF, township=township,
                      password=self.password),
                 User(username=f"synth{index + 1:04d}-leader", role=Role.LEADER, township=township,
                      password=self.password)]
        users += [User(username=f"synth{index + 1:04d}-sec{n:02d}", role=Role.SECRETARY, township=township,
                       village=v, password=self.password) for n, v in enumerate(villages, start=1)]
        count = self._bulk(User, users) + 1 + len(villages) + len(branches)

        region = f"64{index % 10000:04d}"
        serial = 0
        persons, changes_for = [], []
        for village in villages:
            for _ in range(MEMBERS_PER_VILLAGE):
                serial += 1
                persons.append(self._person(township, village, region, serial, Stage.MEMBER))
            for year in year_list:
                for _ in range(4):
                    serial += 1
                    person = self._person(township, village, region, serial, "")
                    persons.append(person)
                    changes_for.append((person, year))
        count += self._bulk(Person, persons)
        if not persons[0].pk:
            persons = list(Person.objects.filter(township=township).order_by("pk"))
            changes_for = []  # ids are needed; backends without RETURNING get no pipeline (SQLite has it)

        stage_changes = []
        for person, year in changes_for:
            day = datetime.date(year, rng.randint(1, 3), rng.randint(1, 28))
            path = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.MEMBER]
            steps = rng.choice((2, 2, 3, 4, 5))
            for stage in path[:steps]:
                stage_changes.append(StageChange(person=person, village_id=person.village_id, stage=stage, date=day))
                day += datetime.timedelta(days=rng.randint(60, 120))
            person.stage = path[steps - 1]
        count += self._bulk(StageChange, stage_changes)
        Person.objects.bulk_update([p for p, _ in changes_for], ["stage"], batch_size=BATCH)

        members = [p for p in persons if p.stage == Stage.MEMBER]
        reserve = []
        for village in villages:
            for person in [p for p in members if p.village_id == village.pk][: rng.randint(2, 5)]:
                reserve.append(ReserveCadre(village=village, person=person, has_seedling_file=rng.random() < 0.25,
                                            since=datetime.date(year_list[0], 3, 1)))
        count += self._bulk(ReserveCadre, reserve)
        talents = [
            Talent(township=township, village=rng.choice(villages), name=self._name(),
                   kind=rng.choice(TalentKind.values), since=datetime.date(year_list[0], 1, 1))
            for _ in range(VILLAGES_PER_TOWNSHIP * 10)
        ]
        count += self._bulk(Talent, talents)

        for year in year_list:
            count += self._year(township, villages, branches, year, members)
        return count

    def _person(self, township, village, region, serial, stage):
        """A person with a valid, unique 身份证号: the serial picks the birth date and the sequence digits."""
        born = datetime.date(1955, 1, 1) + datetime.timedelta(days=serial % 17000)
        first17 = f"{region}{born:%Y%m%d}{serial // 17000 % 100:02d}{serial % 10}"
        return Person(township=township, village=village, name=self._name(), id_number=first17 + check_digit(first17),
                      gender="male" if int(first17[16]) % 2 else "female", birth_date=born, stage=stage)

    def _year(self, township, villages, branches, year, members):
        rng = self.rng
        count = 0
        categories = IncomeCategory.values
        incomes, months = [], []
        for village in villages:
            size = rng.choice((0.3, 0.6, 1.0, 1.5, 2.2))  # villages differ a lot
            for month in range(1, 13):
                for category in rng.sample(categories, 4):
                    amount = Decimal(rng.randint(500_000, 2_500_000) * size / 100).quantize(Decimal("0.01"))
                    incomes.append(IncomeRecord(village=village, year=year, month=month, category=category,
                                                amount=amount))
                status = VillageMonthStatus.APPROVED if rng.random() < 0.92 else VillageMonthStatus.NOT_SUBMITTED
                months.append(VillageMonth(village=village, year=year, month=month, status=status))
        count += self._bulk(IncomeRecord, incomes) + self._bulk(VillageMonth, months)
        count += self._bulk(VillageIncomeTarget, [
            VillageIncomeTarget(village=v, year=year, amount=Decimal(rng.choice((300_000, 600_000, 1_000_000))))
            for v in villages
        ])
        TownshipEconomyTarget.objects.create(township=township, year=year, income_total=Decimal("13000000"),
                                             villages_over_1m=7, villages_over_2m=2)
        TownshipTarget.objects.create(township=township, year=year, star_share_3plus=Decimal("90"),
                                      star_share_4plus=Decimal("75"), star_share_5=Decimal("25"),
                                      planned_probationary=12, planned_probationary_under_35=9)
        count += 2
        count += self._bulk(StarRating, [
            StarRating(branch=b, year=year, stars=rng.choice((2, 3, 3, 4, 4, 5)), target_stars=rng.choice((3, 4, 5)))
            for b in branches
        ])

        activities = []
        for kind, per_year in STUDY_KINDS.items():
            for _ in range(per_year):
                village = rng.choice(villages) if rng.random() < 0.6 else None
                activities.append(StudyActivity(
                    township=township, village=village, date=self._day(year), kind=kind, topic="学习二十大精神",
                    attendance=rng.randint(8, 120), essays=1 if rng.random() < 0.3 else 0,
                ))
        count += self._bulk(StudyActivity, activities)
        events = []
        for branch in branches:
            for month in range(1, 13):
                for kind in (OrgLifeKind.COMMITTEE_MEETING, OrgLifeKind.THEME_DAY, OrgLifeKind.GROUP_MEETING):
                    events.append(OrgLifeEvent(branch=branch, date=datetime.date(year, month, rng.randint(1, 28)),
                                               kind=kind, topic="组织生活", attendance=rng.randint(10, 40)))
        count += self._bulk(OrgLifeEvent, events) + self._bulk(MemberDues, self._dues(members, year))
        problems = []
        for _ in range(170):
            found = self._day(year)
            done = rng.random() < 0.85
            problems.append(Problem(
                township=township, village=rng.choice(villages) if rng.random() < 0.7 else None, found_date=found,
                description="党建基础工作落实不到位", owner=self._name(), deadline=found + datetime.timedelta(days=60),
                rectified=done, rectified_date=found + datetime.timedelta(days=30) if done else None,
            ))
        count += self._bulk(Problem, problems)
        bulletins = []
        for kind, per_year in ((BulletinKind.SPECIAL_REPORT, 13), (BulletinKind.WEEKLY_PREVIEW, 12),
                               (BulletinKind.WORK_INFO, 200)):
            bulletins += [Bulletin(township=township, kind=kind, date=self._day(year), issue_number=n,
                                   title=f"{year}年第{n}期") for n in range(1, per_year + 1)]
        count += self._bulk(Bulletin, bulletins)
        return count

    def _dues(self, members, year):
        """Each member's dues of each month (a branch's monthly totals are derived from them): three in four pay a
        farmer's fixed amount, the rest by their income's bracket; a few owe a month."""
        rng, rows = self.rng, []
        for person in members:
            fixed = rng.random() < 0.75
            base = None if fixed else Decimal(rng.randint(1500, 12000))
            amount = rng.choice((Decimal("0.50"), Decimal("1.00"))) if fixed else None
            for month in range(1, 13):
                category = DuesCategory.FIXED if fixed else DuesCategory.INCOME
                expected = expected_dues(category, base, amount)
                owes = rng.random() < 0.02
                rows.append(MemberDues(person=person, village_id=person.village_id, year=year, month=month,
                                       category=category, base=base,
                                       fixed_amount=amount, expected=expected, paid=Decimal("0") if owes else expected,
                                       paid_date=None if owes else datetime.date(year, month, 25)))
        return rows

    def _day(self, year):
        return datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 364))
