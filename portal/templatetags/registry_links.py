"""The workspace pages' cards of links across the registries (projects and talent)."""

from django import template

register = template.Library()


@register.inclusion_tag("portal/_village_registries.html", takes_context=True)
def village_registry_links(context, village):
    """The workspace village page's registries card: counts and links."""
    from projects.permissions import can_edit_registry
    from projects.selectors import registry_counts
    from talent.models import Talent
    from talent.permissions import can_view_talent_registry

    user = context["request"].user
    can_talent = can_view_talent_registry(user, village)
    return {
        "village": village,
        "counts": registry_counts(village),
        "can_edit": can_edit_registry(user, village),
        "can_talent": can_talent,
        "talent_count": Talent.objects.filter(village=village).count() if can_talent else None,
    }


@register.inclusion_tag("portal/_township_registries.html", takes_context=True)
def township_registry_links(context):
    """Links to the township-wide registry lists, for users who see more than one village or are officials."""
    from accounts.selectors import scope_for
    from talent.selectors import talent_villages

    user = context["request"].user
    scope = scope_for(user)
    show = bool(scope.township_ids) or len(scope.village_roles) > 1
    return {"show": show, "can_talent": show and talent_villages(user).exists()}
