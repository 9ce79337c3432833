"""factory_boy factories shared by the test suite."""

import factory

from accounts.models import Membership, User
from villages.models import District, Township, Village, VillageGroup


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    name = "泉州市洛江区"
    code = "luojiang"


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township
        django_get_or_create = ("code",)

    name = "罗溪镇"
    code = "luoxi"
    district = factory.SubFactory(DistrictFactory)


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"测试{n}村")
    code = factory.Sequence(lambda n: f"village{n}")
    population = 1000
    households = 250


class VillageGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillageGroup

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"第{n}村民小组")
    order = factory.Sequence(int)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.CADRE
    village = factory.SubFactory(VillageFactory)
    township = None


def make_user(role=None, *, village=None, township=None, district=None, **kwargs) -> User:
    """A user holding one role: in a village, (official) in a township, (district official) in a district."""
    user = UserFactory(**kwargs)
    if role == Membership.Role.DISTRICT_OFFICIAL:
        district = district or (township or village.township).district
        Membership.objects.create(user=user, role=role, district=district)
    elif role == Membership.Role.OFFICIAL:
        Membership.objects.create(user=user, role=role, township=township or village.township)
    elif role:
        Membership.objects.create(user=user, role=role, village=village)
    return user
