from decimal import Decimal

import factory

from economy.models import (
    Alliance,
    Enterprise,
    IncomeRecord,
    IndustryProject,
    TownshipEconomyTarget,
    VillageIncomeTarget,
)
from tests.villages.factories import TownshipFactory, VillageFactory


class IncomeRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncomeRecord

    village = factory.SubFactory(VillageFactory)
    year = 2023
    # Unique per village, year, month and category: walk the months, then the categories.
    month = factory.Sequence(lambda n: n % 12 + 1)
    category = factory.Sequence(
        lambda n: ["land_transfer", "land_management", "farming", "facility_rent", "services", "investment",
                   "other"][(n // 12) % 7]
    )
    amount = Decimal("12345.67")


class VillageIncomeTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillageIncomeTarget

    village = factory.SubFactory(VillageFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    amount = Decimal("1000000.00")


class TownshipEconomyTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TownshipEconomyTarget

    township = factory.SubFactory(TownshipFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    income_total = Decimal("13000000.00")
    villages_over_1m = 7
    villages_over_2m = 2


class IndustryProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndustryProject

    village = factory.SubFactory(VillageFactory)
    township = factory.LazyAttribute(lambda o: o.village.township if o.village else None)
    year = 2023
    name = factory.Sequence(lambda n: f"设施温棚{n}号")
    scale = Decimal("31")
    scale_unit = "dong"
    jobs_created = 40
    income_added = Decimal("300000.00")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"示范农业公司{n}")
    contact_name = "王经理"
    contact_phone = "13800001234"


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alliance
        skip_postgeneration_save = True

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"产业发展联盟{n}")
    kind = "industry"
    year = 2023
    model = "支部+合作社+企业+基地+农户"

    @factory.post_generation
    def villages(self, create, extracted, **kwargs):
        if create and extracted:
            self.villages.set(extracted)

    @factory.post_generation
    def enterprises(self, create, extracted, **kwargs):
        if create and extracted:
            self.enterprises.set(extracted)
