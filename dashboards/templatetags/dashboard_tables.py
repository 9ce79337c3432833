"""The cross-village issue and meeting lists' tables, written in Python.

A district official's list shows 50 rows of seven cells; through the template engine (a lookup per value,
a filter per date, a tag per badge) and ``{% stacktable %}`` (which reads the rendered table again to label
each cell for phones), the rows were half of the page's time (issue 13). This writes the same table as
that template with ``{% stacktable title=2 %}`` did: every cell labelled with its column's name, the title
column heading each card on a phone, every value escaped."""

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

from core.templatetags.tables import current_tz, stacked_table
from core.templatetags.tables import local_ymd as _ymd
from roundtable.models import Meeting
from roundtable.templatetags.roundtable_tags import issue_badges, issue_cells, stage_badge

register = template.Library()


@register.simple_tag
def issue_table(issues, work_root: str, places):
    """``issues``: the page's matters; ``work_root``: what every address of roundtable:issue starts with,
    before the village's code; ``places``: the list's villages by number (``dashboard_places``), which
    name each row's village without a query."""
    columns = [
        _("Village"),
        _("Issue"),
        _("Stage"),
        _("Category"),
        _("Raised"),
        _("In the step since"),
        _("Due"),
    ]
    badges, now, tz = issue_badges(), timezone.now(), current_tz()
    root = conditional_escape(work_root)
    rows = []
    for issue in issues:
        village = places[issue.village_id]
        href = f"{root}{conditional_escape(village.code)}/issues/{issue.pk}/"
        row_open, title, due = issue_cells(issue, href, now=now, badges=badges, tz=tz)
        cells = (
            conditional_escape(village.name),
            title,
            stage_badge(issue.stage),
            conditional_escape(issue.get_category_display()),
            _ymd(issue.created_at, tz=tz),
            _ymd(issue.stage_entered_at, tz=tz) if issue.is_open else "—",
            due,
        )
        rows.append((row_open, cells))
    return stacked_table(columns, rows, empty=_("No issues match."), css="issue-table nowrap-table", title=2)


@register.simple_tag
def meeting_table(meetings, work_root: str, places):
    """``meetings``: the page's rows (``dashboards.selectors.MEETING_ROW_FIELDS``: present, recorded and
    items counted, the chair's name or None); ``work_root``: what every address of a village's staff pages
    starts with; ``places``: the list's villages by number (``dashboard_places``)."""
    columns = [_("Village"), _("Meeting"), _("State"), _("Chair"), _("Present"), _("Agenda items")]
    states = dict(Meeting.State.choices)
    root = conditional_escape(work_root)
    tz = current_tz()
    rows = []
    for meeting in meetings:
        village = places[meeting.village_id]
        link = f"{root}{conditional_escape(village.code)}/meetings/{meeting.pk}/"
        cells = (
            conditional_escape(village.name),
            f'<a href="{link}">{conditional_escape(meeting.roundtable_name)}</a> '
            f'<span class="muted">{_ymd(meeting.starts_at, "%Y-%m-%d %H:%M", tz=tz)}</span>',
            conditional_escape(states.get(meeting.state, meeting.state)),
            conditional_escape(meeting.chair_name) if meeting.chair_name is not None else "—",
            f"{meeting.present} / {meeting.recorded}" if meeting.recorded else "—",
            str(meeting.items),
        )
        rows.append((None, cells))
    return stacked_table(columns, rows, empty=_("No meetings match."), css="nowrap-table", title=2)
