"""Who may read and keep the project registries. Forbidden and missing both answer 404."""

from django.http import Http404

from accounts.models import Membership
from accounts.permissions import access_village
from accounts.selectors import scope_for
from projects.models import Partner, Project
from villages.models import Village

Role = Membership.Role


def _roles(user, village) -> frozenset[str]:
    return scope_for(user).roles_in(village)


def can_view_registry(user, village: Village) -> bool:
    """Anyone with a role in the village, and the township's officials (who only read)."""
    return bool(_roles(user, village))


def can_edit_registry(user, village: Village) -> bool:
    """Village cadres keep their own village's registries."""
    return Role.CADRE in _roles(user, village)


def can_view_project(user, project: Project) -> bool:
    """Staff of the lead village or of any village the project also covers."""
    if can_view_registry(user, project.village):
        return True
    return any(can_view_registry(user, v) for v in project.other_villages.all())


def can_edit_project(user, project: Project) -> bool:
    """Cadres of the lead village."""
    return can_edit_registry(user, project.village)


def can_view_partner(user, partner: Partner) -> bool:
    """Anyone with a role somewhere in the partner's township."""
    scope = scope_for(user)
    if partner.township_id in scope.township_ids:
        return True
    return Village.objects.filter(pk__in=scope.village_roles.keys(), township_id=partner.township_id).exists()


def can_edit_partner(user, partner: Partner) -> bool:
    """Cadres of a village the partner works with (of its township when it has none)."""
    scope = scope_for(user)
    cadre_of = {vid for vid, roles in scope.village_roles.items() if Role.CADRE in roles}
    if not cadre_of:
        return False
    linked = {v.pk for v in partner.villages.all()}
    if linked:
        return bool(linked & cadre_of)
    return Village.objects.filter(pk__in=cadre_of, township_id=partner.township_id).exists()


def can_create_partner(user) -> bool:
    """Any village cadre."""
    return any(Role.CADRE in roles for roles in scope_for(user).village_roles.values())


def access_registry_village(user, code: str, *, edit: bool = False) -> Village:
    """The village by code if the user may read (or, with edit, keep) its registries; else Http404."""
    return access_village(user, code, check=can_edit_registry if edit else can_view_registry)


def access_project(user, village: Village, pk, *, edit: bool = False) -> Project:
    """The project led by this village if the user may see (or edit) it; Http404 otherwise."""
    project = (
        Project.objects.select_related("village__township", "planning_partner", "origin_issue__village")
        .prefetch_related("other_villages", "partners")
        .filter(village=village, pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    allowed = can_edit_project(user, project) if edit else can_view_project(user, project)
    if not allowed:
        raise Http404
    return project


def access_partner(user, pk, *, edit: bool = False) -> Partner:
    """The partner if the user may see (or edit) it; Http404 otherwise."""
    partner = Partner.objects.select_related("township").prefetch_related("villages").filter(pk=pk).first()
    if partner is None:
        raise Http404
    allowed = can_edit_partner(user, partner) if edit else can_view_partner(user, partner)
    if not allowed:
        raise Http404
    return partner
