"""The invariants no import path may break, held by the database itself (not only by forms)."""
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from economy.models import IncomeRecord, IndustryProject, TownshipEconomyTarget, VillageIncomeTarget
from tests.cadres.factories import CadreTrainingFactory, MemberDuesFactory, party_member
from tests.economy.factories import IncomeRecordFactory
from tests.records.factories import ProblemFactory, TownshipTargetFactory
from tests.villages.factories import StarRatingFactory
from villages.models import StarRating

pytestmark = pytest.mark.django_db


def violates(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_one_income_row_per_village_year_month_category(village_a):
    IncomeRecordFactory(village=village_a, year=2023, month=3, category="farming")
    violates(lambda: IncomeRecord.objects.create(village=village_a, year=2023, month=3, category="farming",
                                                 amount=Decimal("1.00")))
    IncomeRecord.objects.create(village=village_a, year=2023, month=3, category="services", amount=Decimal("1.00"))
    assert IncomeRecord.objects.count() == 2


@pytest.mark.parametrize("stars", [0, 6])
def test_stars_between_1_and_5(stars, village_a):
    branch = village_a.branches.first()
    violates(lambda: StarRating.objects.create(branch=branch, year=2023, stars=stars))
    violates(lambda: StarRating.objects.create(branch=branch, year=2023, stars=3, target_stars=stars))
    StarRatingFactory(branch=branch, year=2023, stars=5)
    assert StarRating.objects.count() == 1


def test_amounts_are_never_negative(village_a, township):
    minus = Decimal("-0.01")
    violates(lambda: IncomeRecord.objects.create(village=village_a, year=2023, month=1, category="other",
                                                 amount=minus))
    violates(lambda: VillageIncomeTarget.objects.create(village=village_a, year=2023, amount=minus))
    violates(lambda: TownshipEconomyTarget.objects.create(township=township, year=2023, income_total=minus))
    violates(lambda: IndustryProject.objects.create(township=township, year=2023, name="x", income_added=minus))
    violates(lambda: IndustryProject.objects.create(township=township, year=2023, name="x", scale=Decimal("-1")))
    member = party_member(village_a)
    violates(lambda: MemberDuesFactory(person=member, paid=minus))
    violates(lambda: MemberDuesFactory(person=member, base=Decimal("-100.00")))
    violates(lambda: CadreTrainingFactory(reserve_cadre__person__village=village_a,
                                          reserve_cadre__person__township=township, hours=Decimal("-1")))
    assert not IncomeRecord.objects.exists() and not member.dues.exists()


def test_other_database_invariants(village_a, township):
    violates(lambda: IncomeRecordFactory(village=village_a, month=13))
    violates(lambda: ProblemFactory(township=township, rectified=True, rectified_date=None))
    violates(lambda: TownshipTargetFactory(township=township, planned_probationary=5,
                                           planned_probationary_under_35=6))
    violates(lambda: TownshipTargetFactory(township=township, star_share_3plus=Decimal("100.1")))
    TownshipTargetFactory(township=township, year=2023)
    violates(lambda: TownshipTargetFactory(township=township, year=2023))
