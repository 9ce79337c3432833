"""factory_boy factories for the project and talent registries."""

import datetime
from decimal import Decimal

import factory

from projects.models import CollectiveIncome, Cooperative, Funding, Milestone, Partner, Project, Resource
from talent.models import (
    AdvisoryCouncil,
    CommitteeMember,
    CommitteeTerm,
    CouncilMember,
    Education,
    Talent,
    TalentSkill,
    id_check_digit,
)
from tests.factories import TownshipFactory, VillageFactory


def valid_id_number(first17: str = "35050419850312001") -> str:
    """A checksum-valid 18-character ID number built on these 17 digits."""
    return first17 + id_check_digit(first17)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"合作单位{n}")
    kind = Partner.Kind.UNIVERSITY


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"测试项目{n}")
    category = Project.Category.TOURISM
    status = Project.Status.PLANNING
    start_date = datetime.date(2018, 1, 1)
    end_date = datetime.date(2020, 12, 31)


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    project = factory.SubFactory(ProjectFactory)
    source = Funding.Source.FISCAL
    amount_intended = Decimal("1000000.00")
    amount_landed = Decimal("600000.00")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"节点{n}")
    progress = 50


class CooperativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cooperative

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"测试合作社{n}")
    kind = Cooperative.Kind.HERBS
    members = 30


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"测试资源{n}")
    kind = Resource.Kind.NATURAL
    area_mu = Decimal("100")


class IncomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectiveIncome

    village = factory.SubFactory(VillageFactory)
    year = 2018
    amount = Decimal("50000")


class TalentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Talent

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"人才{n}")
    gender = "m"
    birth_year = 1985
    education = Education.BACHELOR
    mobile = "13812345678"
    id_number = factory.LazyFunction(valid_id_number)
    consent_date = datetime.date(2019, 5, 1)


class TalentSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TalentSkill

    talent = factory.SubFactory(TalentFactory)
    skill = "farming"


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdvisoryCouncil

    village = factory.SubFactory(VillageFactory)
    name = "红色参事会"


class CouncilMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilMember

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"参事{n}")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeTerm

    village = factory.SubFactory(VillageFactory)
    year = 2018


class CommitteeMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeMember

    term = factory.SubFactory(TermFactory)
    name = factory.Sequence(lambda n: f"委员{n}")
    role = CommitteeMember.Role.COMMITTEE_MEMBER
    gender = "m"
    birth_year = 1970
    education = Education.SENIOR
