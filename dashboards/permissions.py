"""Who may open which dashboard. Forbidden and missing both answer 404.

Township officials read their township's dashboard, district officials their district's and every
township's of it, village cadres their own villages' dashboards; members, supervisors and everyone else
see none.
"""

from typing import NamedTuple

from django.http import Http404

from accounts.models import Membership
from accounts.permissions import access_village
from accounts.selectors import scope_for, user_key, villages_for
from core import stamped
from villages.models import District, Township, Village
from villages.selectors import PLACES_STAMP

Role = Membership.Role
VILLAGE_DASHBOARD_ROLES = frozenset({Role.CADRE, Role.OFFICIAL, Role.DISTRICT_OFFICIAL})


def can_view_district_dashboard(user, district: District) -> bool:
    """The district's officials."""
    return district.pk in scope_for(user).district_ids


def can_view_township_dashboard(user, township: Township) -> bool:
    """The township's officials and its district's officials."""
    scope = scope_for(user)
    return township.pk in scope.township_ids or township.pk in scope.district_township_ids


def can_view_village_dashboard(user, village: Village) -> bool:
    """The village's cadres, and the officials of its township or district."""
    return bool(scope_for(user).roles_in(village) & VILLAGE_DASHBOARD_ROLES)


def access_district_dashboard(user, code: str) -> District:
    district = District.objects.filter(code=code).first()
    if district is None or not can_view_district_dashboard(user, district):
        raise Http404
    return district


def access_township_dashboard(user, code: str) -> Township:
    township = Township.objects.select_related("district").filter(code=code).first()
    if township is None or not can_view_township_dashboard(user, township):
        raise Http404
    return township


def access_village_dashboard(user, code: str) -> Village:
    return access_village(user, code, check=can_view_village_dashboard)


def dashboard_villages(user):
    """Villages whose figures the user may read on the cross-village lists (issues, meetings, overdue)."""
    return villages_for(user, roles=VILLAGE_DASHBOARD_ROLES)


class TownshipPlace(NamedTuple):
    code: str
    name: str


class VillagePlace(NamedTuple):
    """A village as the lists' filters name it: no model instance (a district has 400 villages)."""

    pk: int
    code: str
    name: str
    township: TownshipPlace


def dashboard_places(user) -> list[VillagePlace]:
    """``dashboard_villages`` by township name and code, as names only (the cross-village lists' filters):
    kept in the cache, as the scope is, until a membership or a place changes."""
    if not scope_for(user).has_any():
        return []
    return stamped.read(PLACES_STAMP, f"places:{user_key(user)}", lambda: _read_places(user))


def _read_places(user) -> list[VillagePlace]:
    rows = (
        dashboard_villages(user)
        .order_by("township__name", "code")
        .values_list("pk", "code", "name", "township__code", "township__name")
    )
    townships = {}
    return [
        VillagePlace(pk, code, name, townships.setdefault(t_code, TownshipPlace(t_code, t_name)))
        for pk, code, name, t_code, t_name in rows
    ]
