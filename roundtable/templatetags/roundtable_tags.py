from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language

from roundtable.models import STEP_HANZI, STEP_NUMBER, Stage

register = template.Library()

_CLASS = {
    Stage.CLOSED: "badge-ok",
    Stage.REJECTED: "badge-quiet",
    Stage.MERGED: "badge-quiet",
    Stage.WITHDRAWN: "badge-quiet",
}


# The badge of each (language, stage), made once per process: lists show one per row, and building it
# (an enum look-up, a translation, format_html) costs more than the rest of the row (issue 13).
_BADGES: dict[tuple[str, str], str] = {}


@register.simple_tag
def stage_badge(stage: str):
    """The stage as a badge: the step number and, in Chinese, the practice's four characters; in any other
    language the translated label (which is the title in both)."""
    language = get_language() or settings.LANGUAGE_CODE
    key = (language, stage)
    badge = _BADGES.get(key)
    if badge is None:
        badge = _BADGES[key] = _stage_badge(Stage(stage), language)
    return badge


def _stage_badge(stage: Stage, language: str):
    number = STEP_NUMBER.get(stage)
    if number:
        hanzi, label = STEP_HANZI[stage], str(stage.label)
        shown = hanzi if language.lower().startswith("zh") else label
        return format_html(
            '<span class="badge stage stage-{}" title="{}">{} · {}</span>',
            number,
            label,
            number,
            shown,
        )
    return format_html('<span class="badge {}">{}</span>', _CLASS.get(stage, ""), stage.label)


@register.inclusion_tag("roundtable/public/_village_roundtables.html")
def village_matters(village):
    """The village page's matters section, read only when it is rendered (not when its cached copy is
    shown: see roundtable.fragments)."""
    from roundtable.selectors import public_village_context

    return public_village_context(village=village)
