import factory

from township.models import User
from villages.models import PartyBranch, StarRating, Township, Village, VillageMonth


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试{n}镇")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"测试{n}村")
    order = factory.Sequence(lambda n: n)


class PartyBranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyBranch

    village = factory.SubFactory(VillageFactory)
    name = factory.LazyAttribute(lambda o: f"{o.village.name}党支部")


class StarRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StarRating

    branch = factory.SubFactory(PartyBranchFactory)
    year = 2023
    stars = 3


class VillageMonthFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillageMonth

    village = factory.SubFactory(VillageFactory)
    year = 2023
    month = 1


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = "staff"
    password = factory.PostGenerationMethodCall("set_password", "demo12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
