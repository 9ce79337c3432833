"""Reads about users: which villages a user may act in, and in which role."""

from dataclasses import dataclass, field

from accounts.models import Membership
from villages.models import Village


@dataclass(frozen=True)
class Scope:
    """What a user's memberships name: village ids per role and townships as official."""

    village_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    township_ids: frozenset[int] = frozenset()

    def roles_in(self, village: Village) -> frozenset[str]:
        roles = set(self.village_roles.get(village.pk, ()))
        if village.township_id in self.township_ids:
            roles.add(Membership.Role.OFFICIAL)
        return frozenset(roles)

    def has_any(self) -> bool:
        return bool(self.village_roles or self.township_ids)


EMPTY_SCOPE = Scope()


def scope_for(user) -> Scope:
    """The user's scope, computed once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_tongxin_scope", None)
    if cached is not None:
        return cached
    village_roles: dict[int, set[str]] = {}
    townships: set[int] = set()
    for role, village_id, township_id in Membership.objects.filter(user=user).values_list(
        "role", "village_id", "township_id"
    ):
        if role == Membership.Role.OFFICIAL:
            townships.add(township_id)
        else:
            village_roles.setdefault(village_id, set()).add(role)
    scope = Scope({k: frozenset(v) for k, v in village_roles.items()}, frozenset(townships))
    user._tongxin_scope = scope
    return scope


def villages_for(user, roles=None):
    """Villages the user may see: by membership (optionally of these roles) or as township official."""
    scope = scope_for(user)
    wanted = set(roles) if roles else None
    ids = [vid for vid, rs in scope.village_roles.items() if wanted is None or rs & wanted]
    qs = Village.objects.filter(pk__in=ids)
    if scope.township_ids and (wanted is None or Membership.Role.OFFICIAL in wanted):
        qs = Village.objects.filter(pk__in=ids) | Village.objects.filter(township_id__in=scope.township_ids)
    return qs.select_related("township").distinct()
