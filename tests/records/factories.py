"""Factories for the township's own work records (campaigns, problems, bulletins, supervision, targets)."""
import datetime
from decimal import Decimal

import factory

from committee.models import Bulletin, Campaign, CampaignTask, Problem, SupervisionVisit, TownshipTarget, WorkEvent
from tests.villages.factories import TownshipFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    township = factory.SubFactory(TownshipFactory)
    year = 2023
    name = factory.Sequence(lambda n: f"“四强”能力作风建设年（{n}）")


class CampaignTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignTask

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"任务{n}")
    owner = "张三"
    deadline = datetime.date(2023, 6, 30)


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    township = factory.SubFactory(TownshipFactory)
    found_date = datetime.date(2023, 3, 1)
    description = factory.Sequence(lambda n: f"查摆问题{n}：学习不够深入")
    owner = "李四"


class BulletinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bulletin

    township = factory.SubFactory(TownshipFactory)
    kind = "special_report"
    date = datetime.date(2023, 5, 1)
    issue_number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"工作专报第{n}期")


class SupervisionVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionVisit

    township = factory.SubFactory(TownshipFactory)
    date = datetime.date(2023, 7, 1)
    kind = "monthly"
    findings = factory.Sequence(lambda n: f"发现问题{n}")


class TownshipTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TownshipTarget

    township = factory.SubFactory(TownshipFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    star_share_3plus = Decimal("90.0")
    star_share_4plus = Decimal("75.0")
    star_share_5 = Decimal("25.0")
    planned_probationary = 12
    planned_probationary_under_35 = 9


class WorkEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkEvent
        skip_postgeneration_save = True

    township = factory.SubFactory(TownshipFactory)
    date = datetime.date(2023, 2, 10)
    kind = "meeting"
    area = "duty"
    title = factory.Sequence(lambda n: f"2023年基层党建工作安排部署会（{n}）")

    @factory.post_generation
    def villages(self, create, extracted, **kwargs):
        if create and extracted:
            self.villages.set(extracted)
