from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.templatetags.tables import current_tz, local_ymd, stacked_table
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


def issue_badges() -> tuple[str, str]:
    """The escalated and overdue badges of a staff table's rows, made once a table."""
    badge = ' <span class="badge badge-warn">{}</span>'
    return format_html(badge, _("escalated")), format_html(badge, _("overdue"))


def issue_cells(issue, href: str, *, now, badges, tz) -> tuple[str | None, str, str]:
    """What every staff table of matters writes the same way: the row's opening tag (marked when the step
    is overdue), the title cell (number, link, escalated badge) and the due cell (date, overdue badge)."""
    escalated, overdue = badges
    is_open = issue.is_open
    is_overdue = is_open and issue.stage_due_at is not None and issue.stage_due_at < now
    due = "—"
    if is_open and issue.stage_due_at:
        due = local_ymd(issue.stage_due_at, tz=tz) + (overdue if is_overdue else "")
    title = f'<span class="muted">#{issue.pk}</span> <a href="{href}">{conditional_escape(issue.title)}</a>'
    if issue.escalated_at:
        title += escalated
    return ('<tr class="overdue">' if is_overdue else None), title, due


@register.simple_tag
def village_issue_table(issues, list_url: str):
    """The cadre's issue list as a table, written in Python (``core.templatetags.tables.stacked_table``):
    the same HTML as the template with ``{% stacktable %}`` wrote, a tenth of the time (issue 13).
    ``issues``: the page's matters (group fetched); ``list_url``: the list's address, which each matter's
    page continues."""
    columns = [_("Issue"), _("Stage"), _("Category"), _("Group"), _("Raised"), _("Due")]
    badges, now, tz = issue_badges(), timezone.now(), current_tz()
    root = conditional_escape(list_url)
    rows = []
    for issue in issues:
        row_open, title, due = issue_cells(issue, f"{root}{issue.pk}/", now=now, badges=badges, tz=tz)
        group = issue.group.name if issue.group_id else ""
        cells = (
            title,
            stage_badge(issue.stage),
            conditional_escape(issue.get_category_display()),
            conditional_escape(group) if group else "—",
            local_ymd(issue.created_at, tz=tz),
            due,
        )
        rows.append((row_open, cells))
    return stacked_table(columns, rows, empty=_("No issues match."), css="issue-table")


@register.simple_tag
def overdue_table(issues, places, work_root: str):
    """The overdue list (``/work/overdue/``) as a table, written in Python: the same HTML as its template with
    ``{% stacktable title=2 %}`` wrote (issue 13). ``issues``: the page's matters; ``places``: their villages
    by number, as (code, name) (``selectors.overdue_places``); ``work_root``: what every address of a
    matter's page starts with, before the village's code."""
    columns = [_("Village"), _("Issue"), _("Stage"), _("Due")]
    badges, now, tz = issue_badges(), timezone.now(), current_tz()
    root = conditional_escape(work_root)
    rows = []
    for issue in issues:
        code, name = places[issue.village_id]
        href = f"{root}{conditional_escape(code)}/issues/{issue.pk}/"
        _row_open, title, _due = issue_cells(issue, href, now=now, badges=badges, tz=tz)
        cells = (
            conditional_escape(name),
            title,
            stage_badge(issue.stage),
            local_ymd(issue.stage_due_at, tz=tz),
        )
        rows.append((None, cells))
    return stacked_table(columns, rows, empty=_("Nothing is overdue."), css="", title=2)


# --- a matter's six steps and timeline, written in Python ---------------------------------------------
# The tracking page, the page residents open most, spent half its time rendering; its steps and timeline
# through the template engine (a lookup per value, a filter per date, an include per meeting) were the most
# of it (issue 13). These write the same HTML the templates wrote; every value escaped.


@register.simple_tag
def steps_bar(steps):
    """The six steps (``selectors.progress_steps``) as the progress bar."""
    hidden = {"done": _("done"), "current": _("current step"), "stopped": _("stopped here")}
    items = []
    for step in steps:
        state, hanzi, label = step["state"], step["hanzi"], str(step["label"])
        items.append(
            f'<li class="step step-{conditional_escape(state)}"'
            + (' aria-current="step"' if state == "current" else "")
            + f'> <span class="step-no">{step["number"]}</span>'
            f' <span class="step-name" lang="zh-Hans">{conditional_escape(hanzi)}</span> '
            + (f'<span class="step-label">{conditional_escape(label)}</span>' if label != hanzi else "")
            + f' <span class="visually-hidden">{conditional_escape(hidden.get(state, ""))}</span> </li>'
        )
    aria = conditional_escape(_("The six steps"))
    return mark_safe(f'<ol class="steps" aria-label="{aria}">{"".join(items)}</ol>')  # noqa: S308


@register.simple_tag
def timeline_meeting(entry, tz=None):
    """The meeting a timeline entry names, at its time as it is now (cancelled, or entered afterwards)."""
    meeting = entry.meeting
    tz = tz or current_tz()
    name = conditional_escape(meeting.roundtable.name)
    if meeting.is_cancelled:
        text = _("%(rt)s meeting: cancelled") % {"rt": name}
    else:
        text = _("%(rt)s meeting: %(t)s, %(place)s") % {
            "rt": name,
            "t": local_ymd(meeting.starts_at, "%Y-%m-%d %H:%M", tz=tz),
            "place": conditional_escape(meeting.place),
        }
    if meeting.entered_afterwards:
        text += (
            f' <br> <span class="badge badge-warn">{conditional_escape(_("entered afterwards"))}</span> '
            + _("held %(held)s, recorded %(recorded)s")
            % {
                "held": local_ymd(meeting.starts_at, "%Y-%m-%d %H:%M", tz=tz),
                "recorded": local_ymd(entry.created_at, "%Y-%m-%d %H:%M", tz=tz),
            }
        )
    return mark_safe(f'<div class="timeline-meeting muted"> {text} </div>')  # noqa: S308


@register.simple_tag
def public_timeline(timeline):
    """The tracking page's timeline: each public entry's time, stage or kind, public note and meeting."""
    tz = current_tz()
    items = []
    for entry in timeline:
        local = entry.created_at.astimezone(tz)
        if entry.shows_stage:
            what = stage_badge(entry.to_stage)
        else:
            what = f'<span class="badge badge-quiet">{conditional_escape(entry.get_kind_display())}</span>'
        note = entry.public_note
        items.append(
            f'<li> <time datetime="{local.isoformat()}">{local_ymd(local, "%Y-%m-%d %H:%M", tz=tz)}</time> '
            f"{what} "
            + (f'<span class="prewrap">{conditional_escape(note)}</span> ' if note else "")
            + (timeline_meeting(entry, tz) if entry.meeting is not None else "")
            + " </li>"
        )
    return mark_safe(f'<ol class="timeline">{"".join(items)}</ol>')  # noqa: S308
