"""Reads about users: which villages a user may act in, and in which role."""

from dataclasses import dataclass, field

from django.db.models import Q

from accounts.models import Membership
from core import stamped
from villages.models import Township, Village
from villages.selectors import PLACES_STAMP


@dataclass(frozen=True)
class Scope:
    """What a user's memberships name: village ids per role, townships as official, districts as district
    official (with the townships those districts hold, so that a village's roles need no query)."""

    village_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    township_ids: frozenset[int] = frozenset()
    district_ids: frozenset[int] = frozenset()
    district_township_ids: frozenset[int] = frozenset()

    def roles_in(self, village: Village) -> frozenset[str]:
        roles = set(self.village_roles.get(village.pk, ()))
        if village.township_id in self.township_ids:
            roles.add(Membership.Role.OFFICIAL)
        if village.township_id in self.district_township_ids:
            roles.add(Membership.Role.DISTRICT_OFFICIAL)
        return frozenset(roles)

    def has_any(self) -> bool:
        return bool(self.village_roles or self.township_ids or self.district_ids)


EMPTY_SCOPE = Scope()


def user_key(user) -> str:
    """The user in a cache key: the number and the moment the account was made, so that a database made
    again (numbers given anew) never reads another account's kept values."""
    return f"{user.pk}-{user.date_joined.timestamp():.6f}"


def scope_for(user) -> Scope:
    """The user's scope: kept on the user object for the request, and in the cache until a membership or
    a place changes (``PLACES_STAMP``)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_tongxin_scope", None)
    if cached is not None:
        return cached
    scope = stamped.read(PLACES_STAMP, f"scope:{user_key(user)}", lambda: _read_scope(user))
    user._tongxin_scope = scope
    return scope


def _read_scope(user) -> Scope:
    village_roles: dict[int, set[str]] = {}
    townships: set[int] = set()
    districts: set[int] = set()
    for role, village_id, township_id, district_id in Membership.objects.filter(user=user).values_list(
        "role", "village_id", "township_id", "district_id"
    ):
        if role == Membership.Role.OFFICIAL:
            townships.add(township_id)
        elif role == Membership.Role.DISTRICT_OFFICIAL:
            districts.add(district_id)
        else:
            village_roles.setdefault(village_id, set()).add(role)
    district_townships = (
        frozenset(Township.objects.filter(district_id__in=districts).values_list("pk", flat=True))
        if districts
        else frozenset()
    )
    scope = Scope(
        {k: frozenset(v) for k, v in village_roles.items()},
        frozenset(townships),
        frozenset(districts),
        district_townships,
    )
    return scope


def village_ids_for(user, roles=None) -> list[int]:
    """The numbers of ``villages_for(user, roles)``, kept in the cache as the scope is."""
    if not scope_for(user).has_any():
        return []
    key = f"village-ids:{user_key(user)}:{','.join(sorted(roles or ()))}"
    return stamped.read(
        PLACES_STAMP, key, lambda: list(villages_for(user, roles).values_list("pk", flat=True))
    )


def villages_for(user, roles=None):
    """Villages the user may see: by membership (optionally of these roles), as township official, or as
    district official."""
    scope = scope_for(user)
    wanted = set(roles) if roles else None
    ids = [vid for vid, rs in scope.village_roles.items() if wanted is None or rs & wanted]
    # One table, one condition: no row twice (querysets combined with | were merged and made DISTINCT, a
    # millisecond of Python on every list of a district official, issue 13).
    where = Q(pk__in=ids)
    if scope.township_ids and (wanted is None or Membership.Role.OFFICIAL in wanted):
        where |= Q(township_id__in=scope.township_ids)
    if scope.district_township_ids and (wanted is None or Membership.Role.DISTRICT_OFFICIAL in wanted):
        where |= Q(township_id__in=scope.district_township_ids)
    return Village.objects.filter(where).select_related("township")
