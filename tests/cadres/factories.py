import datetime
from decimal import Decimal

import factory

from cadres.id_numbers import make_id_number
from cadres.models import (
    Appraisal,
    CadreTraining,
    MemberDues,
    Person,
    ReserveCadre,
    StageChange,
    Talent,
    Transfer,
    TransferKind,
)
from tests.villages.factories import PartyBranchFactory, VillageFactory


def id_number_for(n, male=True):
    """A valid, unique 身份证号 for the n-th person of a test."""
    return make_id_number("640102", datetime.date(1980, 1, 1) + datetime.timedelta(days=n), n, male)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    village = factory.SubFactory(VillageFactory)
    township = factory.LazyAttribute(lambda o: o.village.township)
    name = factory.Sequence(lambda n: f"党员{n}")
    id_number = factory.Sequence(id_number_for)


class StageChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageChange

    person = factory.SubFactory(PersonFactory)
    stage = "activist"
    date = datetime.date(2023, 3, 15)


class ReserveCadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReserveCadre

    person = factory.SubFactory(PersonFactory)
    village = factory.LazyAttribute(lambda o: o.person.village)
    since = datetime.date(2023, 2, 1)


class CadreTrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CadreTraining

    reserve_cadre = factory.SubFactory(ReserveCadreFactory)
    date = datetime.date(2023, 5, 10)
    title = factory.Sequence(lambda n: f"后备干部培训第{n}期")
    form = "course"
    hours = 4


class TalentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Talent

    village = factory.SubFactory(VillageFactory)
    township = factory.LazyAttribute(lambda o: o.village.township if o.village else None)
    name = factory.Sequence(lambda n: f"人才{n}")
    kind = "industry_leader"
    field = "设施农业"
    since = datetime.date(2023, 1, 1)


def party_member(village, joined=datetime.date(2015, 7, 1)):
    """A 正式党员 of `village` since `joined` (a person with their one step)."""
    person = PersonFactory(village=village, township=village.township)
    StageChangeFactory(person=person, stage="member", date=joined)
    return person


class AppraisalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appraisal

    person = factory.LazyFunction(lambda: party_member(VillageFactory()))
    branch = factory.LazyAttribute(
        lambda o: o.person.village.branches.first() or PartyBranchFactory(village=o.person.village))
    year = 2023
    grade = "qualified"
    date = datetime.date(2023, 12, 20)


class MemberDuesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberDues

    person = factory.LazyFunction(lambda: party_member(VillageFactory()))
    year = 2023
    month = factory.Sequence(lambda n: n % 12 + 1)
    category = "income"
    base = Decimal("4000.00")
    paid = Decimal("40.00")


class TransferFactory(factory.django.DjangoModelFactory):
    """A 镇内村间转接 of a new person to another village of their township (Transfer.save moves them)."""

    class Meta:
        model = Transfer

    person = factory.SubFactory(PersonFactory)
    kind = TransferKind.WITHIN
    date = datetime.date(2023, 4, 10)
    to_village = factory.LazyAttribute(lambda o: VillageFactory(township=o.person.township))
