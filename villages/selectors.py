"""Reads about townships and villages for the public pages and workspaces."""

from django.db.models import Count, Q

from villages.models import Township, Village


def default_township():
    """The township this portal serves (the first one; a county install may hold several)."""
    return Township.objects.order_by("pk").first()


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
