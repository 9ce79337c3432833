"""factory_boy factories for the notice board."""

import factory
from django.utils import timezone

from noticeboard.models import Briefing, Suggestion
from tests.factories import TownshipFactory


class BriefingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Briefing

    township = factory.SubFactory(TownshipFactory)
    village = None
    title = factory.Sequence(lambda n: f"圆桌会工作通报第{n}期")
    body = "本期通报圆桌会议定事项的办理情况。"
    status = Briefing.Status.DRAFT

    class Params:
        published = factory.Trait(
            status=Briefing.Status.PUBLISHED, published_at=factory.LazyFunction(timezone.now)
        )


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suggestion

    village = None
    text = factory.Sequence(lambda n: f"建议在村口增设第{n}个垃圾分类点")
