"""Atom feeds of published briefings: one per village, one for the township."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from noticeboard.selectors import public_briefings
from villages.models import Village
from villages.selectors import default_township

FEED_SIZE = 30


class _BriefingFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return Truncator(item.body).chars(600)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.village.name if item.village_id else item.township.name


class VillageBriefingFeed(_BriefingFeed):
    def get_object(self, request, code):
        return get_object_or_404(Village.objects.select_related("township"), code=code)

    def title(self, obj):
        return _("Briefings of %(village)s") % {"village": obj.name}

    def subtitle(self, obj):
        return _("Public briefings of the party-mass roundtable of %(village)s.") % {"village": obj.name}

    def link(self, obj):
        return reverse("noticeboard:briefings", kwargs={"code": obj.code})

    def items(self, obj):
        return public_briefings(township=obj.township, village=obj).select_related("township")[:FEED_SIZE]


class TownshipBriefingFeed(_BriefingFeed):
    def get_object(self, request):
        township = default_township()
        if township is None:
            raise Http404
        return township

    def title(self, obj):
        return _("Briefings of %(township)s") % {"township": obj.name}

    def subtitle(self, obj):
        return _("Public briefings of the township and its villages.")

    def link(self, obj):
        return reverse("noticeboard:township_briefings")

    def items(self, obj):
        return public_briefings(township=obj).select_related("township")[:FEED_SIZE]
