"""Reads about townships and villages for the public pages and workspaces."""

import time

from django.db.models import Count, Q

from core import stamped
from villages.models import Township, Village

# Renewed whenever a membership, village, group, township or district is saved or deleted (accounts.apps):
# the stamp the users' scopes, the lists' places and the villages' groups are kept under (core.stamped).
PLACES_STAMP = "places-stamp"

# Every page's header names the served township. It is read once a minute per process, not once a page
# (issue 13: a query and its Python on every request). A township saved or deleted in this process is read
# again at once (villages.apps connects ``forget_default_township``); other processes see a renamed
# township within the minute.
DEFAULT_TOWNSHIP_SECONDS = 60
_default_township: dict = {"until": 0.0, "township": None}


def default_township():
    """The township this portal serves (the first one; a county install may hold several)."""
    now = time.monotonic()
    if now >= _default_township["until"]:
        _default_township["township"] = Township.objects.order_by("pk").first()
        _default_township["until"] = now + DEFAULT_TOWNSHIP_SECONDS
    return _default_township["township"]


def forget_default_township(**_signal):
    """The next ``default_township()`` reads the database again."""
    _default_township["until"] = 0.0


def village_list(*, township: Township):
    """The township's villages with their group counts, pilots first."""
    return (
        Village.objects.filter(township=township)
        .annotate(group_count=Count("groups", distinct=True))
        .order_by("-is_pilot", "code")
    )


def township_totals(*, township: Township) -> dict:
    """Headline counts for the township's home page."""
    return Village.objects.filter(township=township).aggregate(
        villages=Count("pk", distinct=True),
        pilots=Count("pk", filter=Q(is_pilot=True), distinct=True),
        groups=Count("groups", distinct=True),
    )


def group_choices(village) -> list[tuple[int, str]]:
    """The village's groups as (number, name), in their order, for a filter's select: kept in the cache
    until a group or a village changes (a query and its model instances on every cadre's list)."""
    return stamped.read(
        PLACES_STAMP,
        f"groups:{village.pk}",
        lambda: [(group.pk, str(group)) for group in village.groups.all()],
    )
