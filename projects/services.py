"""Writes to the project registries. Every write validates the model fully first."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.selectors import scope_for
from core import pagecache
from projects.models import CollectiveIncome, Cooperative, Funding, Milestone, Partner, Project, Resource
from villages.models import Township, Village

Status = Project.Status

# The project's life: proposed → planning → approved → in progress → completed; it may be suspended
# before completion and resumed at any earlier stage.
FORWARD = [Status.PROPOSED, Status.PLANNING, Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED]


def allowed_statuses(current: str | None) -> list[str]:
    """Statuses a project may take next (its current one included); any status for a new project."""
    if current is None:
        return list(Status.values)
    if current == Status.COMPLETED:
        return [Status.COMPLETED]
    if current == Status.SUSPENDED:
        return [Status.SUSPENDED, *FORWARD[:-1]]
    i = FORWARD.index(current)
    return [current, FORWARD[i + 1], Status.SUSPENDED]


def _check_status_move(current: str, new: str) -> None:
    if new not in allowed_statuses(current):
        raise ValidationError(
            {
                "status": _("A project cannot go from “%(old)s” to “%(new)s”.")
                % {"old": Status(current).label, "new": Status(new).label}
            },
            code="status_move",
        )


FUNDING_FIELDS = (
    "source",
    "amount_intended",
    "amount_landed",
    "land_mu",
    "date",
    "note",
    "over_intended_confirmed",
)
MILESTONE_FIELDS = ("title", "due_date", "done_date", "progress", "note", "order")


def _apply(instance, fields: dict, allowed: Iterable[str]):
    for name in allowed:
        if name in fields:
            setattr(instance, name, fields[name])
    return instance


def _save_lines(
    *, project: Project, model, lines: Iterable[dict], allowed: Iterable[str], related: str, extra_check=None
):
    """Create, update or delete child lines: dicts with an optional `id` and `delete`."""
    existing = {obj.pk: obj for obj in getattr(project, related).all()}
    for line in lines:
        pk = line.get("id")
        obj = existing.get(pk) if pk else None
        if pk and obj is None:
            raise ValidationError(_("A line does not belong to this project."), code="foreign_line")
        if line.get("delete"):
            if obj is not None:
                obj.delete()
            continue
        obj = _apply(obj or model(project=project), line, allowed)
        if extra_check:
            extra_check(obj)
        obj.full_clean()
        obj.save()


def _milestone_check(project):
    def check(milestone):
        if milestone.due_date and project.start_date and milestone.due_date < project.start_date:
            raise ValidationError(
                {"due_date": _("A milestone cannot be due before the project starts.")},
                code="due_before_start",
            )

    return check


def _links_changed() -> None:
    """A project or partner shows on the public page of every village it is linked to (before and after
    the change): every village page is marked stale (such edits are rare)."""
    pagecache.township_changed()


def _check_links(*, village: Village, other_villages, partners, origin_issue) -> None:
    errors = {}
    if any(v.township_id != village.township_id or v.pk == village.pk for v in other_villages):
        errors["other_villages"] = _("Choose other villages of the same township.")
    if any(p.township_id != village.township_id for p in partners):
        errors["partners"] = _("Choose partners of the village's township.")
    if origin_issue is not None and origin_issue.village_id != village.pk:
        errors["origin_issue"] = _("Choose a matter raised in this village.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_create(
    *,
    village: Village,
    actor=None,
    fundings: Iterable[dict] = (),
    milestones: Iterable[dict] = (),
    other_villages: Iterable[Village] = (),
    partners: Iterable[Partner] = (),
    **fields,
) -> Project:
    """A new project with its funding lines (and milestones); all of it or nothing."""
    other_villages, partners = list(other_villages), list(partners)
    project = Project(village=village, created_by=actor, **fields)
    if project.planning_partner is not None and project.planning_partner.township_id != village.township_id:
        raise ValidationError({"planning_partner": _("Choose a partner of the village's township.")})
    _check_links(
        village=village, other_villages=other_villages, partners=partners, origin_issue=project.origin_issue
    )
    project.full_clean()
    project.save()
    project.other_villages.set(other_villages)
    project.partners.set(partners)
    _save_lines(project=project, model=Funding, lines=fundings, allowed=FUNDING_FIELDS, related="fundings")
    _save_lines(
        project=project,
        model=Milestone,
        lines=milestones,
        allowed=MILESTONE_FIELDS,
        related="milestones",
        extra_check=_milestone_check(project),
    )
    _links_changed()
    return project


PROJECT_FIELDS = (
    "name",
    "category",
    "status",
    "origin_issue",
    "planning_partner",
    "land_area_mu",
    "start_date",
    "end_date",
    "description",
    "is_public",
)


@transaction.atomic
def project_update(
    *,
    project: Project,
    actor=None,
    fundings: Iterable[dict] | None = None,
    other_villages: Iterable[Village] | None = None,
    partners: Iterable[Partner] | None = None,
    **fields,
) -> Project:
    """Changes the project and, when given, its funding lines and links; the status moves along its path."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    old_status = project.status
    _apply(project, fields, PROJECT_FIELDS)
    _check_status_move(old_status, project.status)
    if (
        project.planning_partner is not None
        and project.planning_partner.township_id != project.village.township_id
    ):
        raise ValidationError({"planning_partner": _("Choose a partner of the village's township.")})
    _check_links(
        village=project.village,
        other_villages=list(other_villages) if other_villages is not None else [],
        partners=list(partners) if partners is not None else [],
        origin_issue=project.origin_issue,
    )
    project.full_clean()
    project.save()
    if other_villages is not None:
        project.other_villages.set(other_villages)
    if partners is not None:
        project.partners.set(partners)
    if fundings is not None:
        _save_lines(
            project=project, model=Funding, lines=fundings, allowed=FUNDING_FIELDS, related="fundings"
        )
    _links_changed()
    return project


@transaction.atomic
def project_milestones_save(*, project: Project, milestones: Iterable[dict]) -> Project:
    """Creates, updates and deletes the project's milestones together."""
    _save_lines(
        project=project,
        model=Milestone,
        lines=milestones,
        allowed=MILESTONE_FIELDS,
        related="milestones",
        extra_check=_milestone_check(project),
    )
    _links_changed()
    return project


@transaction.atomic
def project_delete(*, project: Project) -> None:
    """Removes the project with its funding lines and milestones."""
    project.delete()
    _links_changed()


# --- partners ---------------------------------------------------------------------------------

PARTNER_FIELDS = ("name", "kind", "description", "contact_name", "website", "since")


def _cadre_village_ids(actor) -> set[int]:
    return {vid for vid, roles in scope_for(actor).village_roles.items() if Membership.Role.CADRE in roles}


@transaction.atomic
def partner_create(*, township: Township, actor, villages=(), roundtables=(), **fields) -> Partner:
    """A new partner, linked to villages (and their roundtables) the actor keeps."""
    partner = Partner(township=township)
    _apply(partner, fields, PARTNER_FIELDS)
    partner.full_clean()
    partner.save()
    _partner_links(partner=partner, actor=actor, villages=villages, roundtables=roundtables)
    _links_changed()
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, actor, villages=(), roundtables=(), **fields) -> Partner:
    """Changes the partner; links to villages the actor does not keep are left as they are."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    _apply(partner, fields, PARTNER_FIELDS)
    partner.full_clean()
    partner.save()
    _partner_links(partner=partner, actor=actor, villages=villages, roundtables=roundtables)
    _links_changed()
    return partner


def _partner_links(*, partner: Partner, actor, villages, roundtables) -> None:
    mine = _cadre_village_ids(actor)
    villages, roundtables = list(villages), list(roundtables)
    if any(v.pk not in mine or v.township_id != partner.township_id for v in villages):
        raise ValidationError({"villages": _("You can link only villages you keep.")})
    if any(r.village_id not in mine for r in roundtables):
        raise ValidationError({"roundtables": _("You can link only roundtables of villages you keep.")})
    kept_villages = [v for v in partner.villages.all() if v.pk not in mine]
    kept_roundtables = [r for r in partner.roundtables.all() if r.village_id not in mine]
    partner.villages.set([*kept_villages, *villages])
    partner.roundtables.set([*kept_roundtables, *roundtables])


# --- cooperatives, resources, collective income ------------------------------------------------

COOPERATIVE_FIELDS = ("name", "kind", "members", "founded", "leader", "products")
RESOURCE_FIELDS = ("name", "kind", "area_mu", "location", "description")


@transaction.atomic
def cooperative_save(*, village: Village, cooperative: Cooperative | None = None, **fields) -> Cooperative:
    """Creates (or, given one, updates) a cooperative of the village."""
    if cooperative is not None and cooperative.village_id != village.pk:
        raise ValidationError(_("This cooperative belongs to another village."))
    cooperative = _apply(cooperative or Cooperative(village=village), fields, COOPERATIVE_FIELDS)
    cooperative.full_clean()
    cooperative.save()
    pagecache.village_changed(village.code)
    return cooperative


@transaction.atomic
def resource_save(*, village: Village, resource: Resource | None = None, **fields) -> Resource:
    """Creates (or, given one, updates) an entry of the village's resource inventory."""
    if resource is not None and resource.village_id != village.pk:
        raise ValidationError(_("This resource belongs to another village."))
    resource = _apply(resource or Resource(village=village), fields, RESOURCE_FIELDS)
    resource.full_clean()
    resource.save()
    pagecache.village_changed(village.code)
    return resource


@transaction.atomic
def income_set(*, village: Village, year: int, amount, note: str = "") -> CollectiveIncome:
    """Records (or corrects) the village's collective income for a year."""
    income = CollectiveIncome.objects.select_for_update().filter(village=village, year=year).first()
    income = income or CollectiveIncome(village=village, year=year)
    income.amount, income.note = amount, note
    income.full_clean()
    income.save()
    pagecache.village_changed(village.code)
    return income


def registry_entry_delete(*, village: Village, entry) -> None:
    """Deletes a cooperative, resource or income entry of the village."""
    if entry.village_id != village.pk:
        raise ValidationError(_("This entry belongs to another village."))
    entry.delete()
    pagecache.village_changed(village.code)
