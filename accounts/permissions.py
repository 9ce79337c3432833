"""Who may do what with villages. Forbidden and missing both answer 404."""

from django.http import Http404

from accounts.models import Membership
from accounts.selectors import scope_for
from villages.models import Village


def can_view_village_workspace(user, village: Village) -> bool:
    """Any membership in the village, or a township official of its township."""
    return bool(scope_for(user).roles_in(village))


def can_manage_village(user, village: Village) -> bool:
    """Village cadres act for their own village."""
    return Membership.Role.CADRE in scope_for(user).roles_in(village)


def access_village_for_workspace(user, code: str) -> Village:
    """The village by code if the user may open its workspace; Http404 when missing or forbidden."""
    village = Village.objects.select_related("township").filter(code=code).first()
    if village is None or not can_view_village_workspace(user, village):
        raise Http404
    return village
