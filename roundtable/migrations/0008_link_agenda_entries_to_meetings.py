"""Links the agenda entries written before timeline entries named their meeting, and takes the meeting's
time out of their note: pages now show the meeting's time as it is now, so a note written before a move
must not keep showing the old time. Entries whose note a cadre wrote are left as they are."""

import re

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

# The automatic note as the portal wrote it, in Chinese and in English.
NOTES = (
    (
        re.compile(r"^已列入(?P<rt>.+) (?P<when>\d{4}-\d{2}-\d{2} \d{2}:\d{2}) 的会议议程。$"),
        "已列入{rt}会议议程。",
    ),
    (
        re.compile(r"^On the agenda of the (?P<rt>.+) meeting on (?P<when>\d{4}-\d{2}-\d{2} \d{2}:\d{2})\.$"),
        "On the agenda of the {rt} meeting.",
    ),
)


def _automatic(note: str):
    """The note's match and its time-free form, when the portal wrote it; else None."""
    for pattern, template in NOTES:
        match = pattern.match(note)
        if match:
            return match, template
    return None


def link(apps, schema_editor):
    TimelineEntry = apps.get_model("roundtable", "TimelineEntry")
    AgendaItem = apps.get_model("roundtable", "AgendaItem")
    entries = (
        TimelineEntry.objects.filter(meeting__isnull=True)
        .filter(Q(kind="agenda") | Q(kind="stage", to_stage="deliberating"))
        .order_by("issue_id", "created_at", "pk")
    )
    used: dict[int, set[int]] = {}
    for entry in entries.iterator():
        found = _automatic(entry.note or "")
        if found is None:
            continue
        match, template = found
        taken = used.setdefault(entry.issue_id, set())
        items = [
            item
            for item in AgendaItem.objects.filter(
                issue_id=entry.issue_id, meeting__roundtable__name=match["rt"]
            )
            .select_related("meeting")
            .order_by("pk")
            if item.pk not in taken
        ]
        if not items:
            continue
        # The meeting at the time the note names, else (it moved since) the issue's next agenda item there.
        same_time = [
            i
            for i in items
            if timezone.localtime(i.meeting.starts_at).strftime("%Y-%m-%d %H:%M") == match["when"]
        ]
        item = (same_time or items)[0]
        taken.add(item.pk)
        TimelineEntry.objects.filter(pk=entry.pk).update(
            meeting_id=item.meeting_id, note=template.format(rt=match["rt"])
        )


class Migration(migrations.Migration):
    dependencies = [("roundtable", "0007_meeting_entered_afterwards_substitute_chair")]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
