"""What every registry view starts from: the village (or villages) in scope, 404 when out of reach."""

from django.http import Http404

from accounts.selectors import villages_for
from projects.permissions import (
    access_registry_village,
)
from villages.models import Village


def registry_scope(request, code):
    """(village or None, base villages for the list); a user without any village gets 404."""
    if code:
        village = access_registry_village(request.user, code)
        return village, Village.objects.filter(pk=village.pk)
    villages = villages_for(request.user)
    if not villages.exists():
        raise Http404
    return None, villages


def edit_village(request, code) -> Village:
    """The village by code if the user keeps its registries; Http404 otherwise."""
    return access_registry_village(request.user, code, edit=True)
