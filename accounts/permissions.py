"""Who may open a village's workspace, and the one accessor that fetches a village for a user.

Every app that guards a village page (roundtable, projects, talent, portal) fetches the village through
`access_village`, passing its own `can_*` rule; forbidden and missing both answer 404.
"""

from collections.abc import Callable

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


def access_village(user, code: str, *, check: Callable[..., bool] = can_view_village_workspace) -> Village:
    """The village by code if `check(user, village)` allows it (by default: any role there); else Http404."""
    # get(), not first(): the code is unique, and an ORDER BY costs its compilation on every page (issue 13).
    try:
        village = Village.objects.select_related("township").get(code=code)
    except Village.DoesNotExist:
        village = None
    if village is None or not check(user, village):
        # One message for missing and forbidden alike (not shown on the production 404 page).
        raise Http404("No village with this code for this user.")
    return village
