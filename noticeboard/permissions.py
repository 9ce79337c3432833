"""Who may write briefings and moderate suggestions. Forbidden and missing both answer 404."""

from django.http import Http404

from accounts.models import Membership
from accounts.selectors import scope_for
from noticeboard.models import Briefing, Suggestion
from villages.models import Township, Village

Role = Membership.Role


def can_write_briefings(user, *, village: Village | None = None, township: Township | None = None) -> bool:
    """A village's briefings: its cadres and the township's officials; the township's: its officials."""
    scope = scope_for(user)
    if village is not None:
        return bool(scope.roles_in(village) & {Role.CADRE, Role.OFFICIAL})
    return township is not None and township.pk in scope.township_ids


def can_manage_briefing(user, briefing: Briefing) -> bool:
    if briefing.village_id:
        return can_write_briefings(user, village=briefing.village)
    return can_write_briefings(user, township=briefing.township)


def can_moderate_suggestions(user, village: Village) -> bool:
    """The village's cadres approve, reject and answer suggestions (officials of the township too)."""
    return bool(scope_for(user).roles_in(village) & {Role.CADRE, Role.OFFICIAL})


def can_moderate_suggestion(user, suggestion: Suggestion) -> bool:
    return can_moderate_suggestions(user, suggestion.village)


def access_briefing_for_staff(user, pk, *, village: Village | None = None, township=None) -> Briefing:
    """A briefing of this village (or the township's own) that the user may edit; Http404 otherwise."""
    qs = Briefing.objects.select_related("village__township", "township")
    briefing = (
        qs.filter(village=village, pk=pk).first()
        if village is not None
        else qs.filter(township=township, village__isnull=True, pk=pk).first()
    )
    if briefing is None or not can_manage_briefing(user, briefing):
        raise Http404
    return briefing


def access_suggestion_for_staff(user, village: Village, pk) -> Suggestion:
    """A suggestion of this village that the user may moderate; Http404 otherwise."""
    suggestion = (
        Suggestion.objects.select_related("village", "briefing").filter(village=village, pk=pk).first()
    )
    if suggestion is None or not can_moderate_suggestion(user, suggestion):
        raise Http404
    return suggestion


def access_public_briefing(pk, *, village: Village | None = None, township=None) -> Briefing:
    """A published briefing as the public sees it: drafts and withdrawn ones answer 404."""
    qs = Briefing.objects.select_related("village", "township").filter(
        pk=pk, status=Briefing.Status.PUBLISHED
    )
    briefing = (
        qs.filter(village=village).first()
        if village is not None
        else qs.filter(township=township, village__isnull=True).first()
    )
    if briefing is None:
        raise Http404
    return briefing
