"""Who may read and keep the talent registries, and who sees personal data whole.

Who sees personal data whole is decided here: mobile and ID numbers are shown whole only to cadres of
the person's own village (`can_see_personal_data`); everyone else — township officials included — sees
them masked (by `core.masking`), on pages and in exports alike (`personal_data`).
"""

from dataclasses import dataclass

from django.http import Http404

from accounts.models import Membership
from accounts.permissions import access_village
from accounts.selectors import scope_for
from core.masking import mask_id, mask_mobile
from talent.models import Talent
from villages.models import Village

Role = Membership.Role
TALENT_ROLES = frozenset({Role.CADRE, Role.OFFICIAL, Role.DISTRICT_OFFICIAL})


def can_view_talent_registry(user, village: Village) -> bool:
    """Village cadres, township and district officials; never public, nor shown to members or supervisors."""
    return bool(scope_for(user).roles_in(village) & TALENT_ROLES)


def can_edit_talent_registry(user, village: Village) -> bool:
    """Village cadres keep their own village's talent pool, council and committee terms."""
    return Role.CADRE in scope_for(user).roles_in(village)


def can_see_personal_data(user, village: Village | int) -> bool:
    """Whole mobile and ID numbers: only for cadres of the person's own village."""
    village_id = village if isinstance(village, int) else village.pk
    return Role.CADRE in scope_for(user).village_roles.get(village_id, ())


@dataclass(frozen=True)
class PersonalData:
    """A person's numbers as this viewer may see them."""

    mobile: str
    id_number: str
    masked: bool


def personal_data(user, talent: Talent) -> PersonalData:
    """The talent's mobile and ID number, whole or masked by `can_see_personal_data`."""
    if can_see_personal_data(user, talent.village_id):
        return PersonalData(talent.mobile, talent.id_number, masked=False)
    return PersonalData(mask_mobile(talent.mobile), mask_id(talent.id_number), masked=True)


def access_talent_village(user, code: str, *, edit: bool = False) -> Village:
    """The village by code if the user may read (or, with edit, keep) its talent registries; else Http404."""
    return access_village(user, code, check=can_edit_talent_registry if edit else can_view_talent_registry)


def access_talent(user, village: Village, pk, *, edit: bool = False) -> Talent:
    """The talent of this village if the user may see (or edit) it; Http404 otherwise."""
    talent = (
        Talent.objects.select_related("village__township", "roundtable")
        .prefetch_related("skills")
        .filter(village=village, pk=pk)
        .first()
    )
    if talent is None:
        raise Http404
    allowed = can_edit_talent_registry(user, village) if edit else can_view_talent_registry(user, village)
    if not allowed:
        raise Http404
    return talent
