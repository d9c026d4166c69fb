import datetime

import factory

from study.models import OrgLifeEvent, StudyActivity, StudyPlan
from tests.villages.factories import PartyBranchFactory, TownshipFactory, VillageFactory


class StudyPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyPlan

    township = factory.SubFactory(TownshipFactory)
    year = 2023
    kind = "central_group"
    title = factory.Sequence(lambda n: f"2023年党委理论学习中心组学习计划（{n}）")


class StudyActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyActivity

    village = factory.SubFactory(VillageFactory)
    township = factory.LazyAttribute(lambda o: o.village.township if o.village else None)
    date = datetime.date(2023, 4, 12)
    kind = "concentrated"
    topic = factory.Sequence(lambda n: f"学习贯彻党的二十大精神（{n}）")
    attendance = 20
    essays = 2


class OrgLifeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgLifeEvent

    branch = factory.SubFactory(PartyBranchFactory)
    date = datetime.date(2023, 4, 5)
    kind = "theme_day"
    topic = factory.Sequence(lambda n: f"主题党日活动（{n}）")
    attendance = 25
