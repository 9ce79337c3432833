from django import template
from django.utils.html import format_html

from roundtable.models import STEP_HANZI, STEP_NUMBER, Stage

register = template.Library()

_CLASS = {
    Stage.CLOSED: "badge-ok",
    Stage.REJECTED: "badge-quiet",
    Stage.MERGED: "badge-quiet",
    Stage.WITHDRAWN: "badge-quiet",
}


@register.simple_tag
def stage_badge(stage: str):
    """The stage as a badge: step number, the practice's four characters and the translated label."""
    stage = Stage(stage)
    number = STEP_NUMBER.get(stage)
    if number:
        return format_html(
            '<span class="badge stage stage-{}" title="{}">{} · {}</span>',
            number,
            stage.label,
            number,
            STEP_HANZI[stage],
        )
    return format_html('<span class="badge {}">{}</span>', _CLASS.get(stage, ""), stage.label)


@register.inclusion_tag("roundtable/public/_village_roundtables.html")
def village_matters(village):
    """The village page's matters section, read only when it is rendered (not when its cached copy is
    shown: see roundtable.fragments)."""
    from roundtable.selectors import public_village_context

    return public_village_context(village=village)
