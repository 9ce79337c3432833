"""What each kind of notification says, rendered when it is sent, in the recipient's language."""

from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.text import one_line
from notifications import clock
from notifications.channels import Rendered
from notifications.models import Notification
from roundtable.models import STEP_HANZI, STEPS, Meeting, Stage
from roundtable.selectors import recovery_codes

Kind = Notification.Kind

SMS_PREFIX = "【同心】"
SMS_NOTE_LENGTH = 60


@dataclass
class Content:
    """The parts of a message before it is laid out as text, HTML and SMS."""

    subject: str
    lines: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    link: str = ""
    link_label: str = ""
    sms: str = ""
    table: dict | None = None


def _url(name: str, **kwargs) -> str:
    """An absolute link into the portal, or nothing while the page does not exist."""
    try:
        path = reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""
    return settings.NOTIFICATIONS_SITE_URL.rstrip("/") + path


def when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT") if moment else ""


def stage_label(stage: str) -> str:
    label = str(Stage(stage).label) if stage in Stage.values else stage
    hanzi = STEP_HANZI.get(stage)
    # The practice's own four-character name goes beside the label, as on the portal's pages.
    if hanzi and translation.get_language() != settings.LANGUAGE_CODE:
        return f"{label} ({hanzi})"
    return hanzi or label


def _short(text: str, length: int = SMS_NOTE_LENGTH) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


# --- meetings --------------------------------------------------------------------------------


def _meeting(n: Notification) -> Content:
    meeting = n.meeting
    table = meeting.roundtable
    facts = {"roundtable": table.name, "when": when(meeting.starts_at), "place": meeting.place}
    link = _url("roundtable:meeting", code=table.village.code, pk=meeting.pk)
    if n.kind in (Kind.MEETING_REMINDER_DAY, Kind.MEETING_REMINDER_HOUR):
        lines = [_("The %(roundtable)s meeting starts at %(when)s, at %(place)s.") % facts]
        if meeting.chair_id:
            lines.append(_("Chair: %(name)s.") % {"name": meeting.chair.name})
        agenda = [str(item) for item in meeting.agenda.select_related("issue")]
        if agenda:
            lines.append(_("On the agenda:"))
        return Content(
            subject=_("Reminder: %(roundtable)s meets on %(when)s") % facts,
            lines=lines,
            items=agenda,
            closing=[_("Please come on time; if you cannot, tell the village cadres beforehand.")],
            link=link,
            link_label=_("The meeting"),
            sms=_("Reminder: the %(roundtable)s meeting is at %(when)s, %(place)s. Please be on time.")
            % facts,
        )
    if n.kind == Kind.MEETING_MOVED:
        facts["old"] = when(_parse(n.payload.get("old_starts_at")))
        lines = [_("The %(roundtable)s meeting now starts at %(when)s, at %(place)s.") % facts]
        if facts["old"]:
            lines.append(_("It was planned for %(old)s.") % facts)
        return Content(
            subject=_("The %(roundtable)s meeting has moved to %(when)s") % facts,
            lines=lines,
            link=link,
            link_label=_("The meeting"),
            sms=_("The %(roundtable)s meeting has moved to %(when)s, %(place)s.") % facts,
        )
    facts["reason"] = meeting.cancel_reason
    return Content(
        subject=_("The %(roundtable)s meeting on %(when)s is cancelled") % facts,
        lines=[
            _("The %(roundtable)s meeting planned for %(when)s at %(place)s will not take place.") % facts,
            _("Reason: %(reason)s") % facts,
        ],
        sms=_("The %(roundtable)s meeting on %(when)s is cancelled. Reason: %(reason)s")
        % {**facts, "reason": _short(facts["reason"])},
    )


def _meeting_ahead(pk):
    """The scheduled meeting still ahead that a message names, or None."""
    if not pk:
        return None
    return Meeting.objects.filter(pk=pk, state=Meeting.State.SCHEDULED, starts_at__gt=clock.now()).first()


def _parse(value):
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value) if value else None


# --- issues ----------------------------------------------------------------------------------


def _issue(n: Notification) -> Content:
    issue = n.issue
    p = n.payload
    facts = {
        "title": issue.title,
        "village": issue.village.name,
        "code": issue.tracking_code,
        "stage": stage_label(issue.stage),
        "due": when(_parse(p.get("due_at")) or issue.stage_due_at),
        "note": p.get("note", ""),
    }
    staff_link = _url("roundtable:issue", code=issue.village.code, pk=issue.pk)
    content = Content(subject="", link=staff_link, link_label=_("The issue"))
    if n.kind == Kind.ISSUE_RECEIVED:
        content.subject = _("Your matter “%(title)s” was received") % facts
        content.lines = [
            _("Your matter “%(title)s” was received by %(village)s.") % facts,
            _("Tracking code: %(code)s. Keep it to follow the matter's progress.") % facts,
        ]
        content.link = _url("roundtable:track", code=issue.tracking_code)
        content.sms = _("Your matter “%(title)s” was received. Tracking code: %(code)s.") % facts
    elif n.kind == Kind.ISSUE_STAGE:
        facts["stage"] = stage_label(p.get("to_stage", issue.stage))
        content.subject = _("Your matter “%(title)s”: %(stage)s") % facts
        content.lines = [_("Your matter “%(title)s” has moved to: %(stage)s.") % facts]
        meeting = _meeting_ahead(p.get("meeting"))
        if meeting is not None:
            # Read now, not when the message was written: the meeting may have moved meanwhile.
            facts["note"] = " ".join(
                part
                for part in (
                    facts["note"],
                    _("The meeting is at %(when)s, at %(place)s.")
                    % {"when": when(meeting.starts_at), "place": meeting.place},
                )
                if part
            )
        if facts["note"]:
            content.lines.append(facts["note"])
        content.lines.append(_("Tracking code: %(code)s.") % facts)
        content.link = _url("roundtable:track", code=issue.tracking_code)
        sms = _("Your matter “%(title)s” has moved to: %(stage)s. Tracking code %(code)s.") % facts
        if facts["note"]:
            sms += " " + _short(facts["note"])
        content.sms = sms
    elif n.kind == Kind.ISSUE_RAISED:
        facts["category"] = issue.get_category_display()
        content.subject = _("New issue in %(village)s: %(title)s") % facts
        content.lines = [_("A new issue was raised in %(village)s: “%(title)s” (%(category)s).") % facts]
        if facts["due"]:
            content.lines.append(_("Step 1 is due by %(due)s.") % facts)
        content.sms = _("New issue in %(village)s: “%(title)s”.") % facts
    elif n.kind == Kind.ISSUE_ASSIGNED:
        content.subject = _("You are responsible for “%(title)s”") % facts
        content.lines = [
            _("You are now responsible for “%(title)s” in %(village)s.") % facts,
            _("Current step: %(stage)s.") % facts,
        ]
        if facts["due"]:
            content.lines.append(_("Due by %(due)s.") % facts)
        content.sms = _("You are responsible for “%(title)s” (%(village)s), now at: %(stage)s.") % facts
    elif n.kind == Kind.ISSUE_OPINION:
        content.subject = _("A resident gave an opinion on “%(title)s”") % facts
        content.lines = [_("A resident gave an opinion on “%(title)s” in %(village)s.") % facts]
        if p.get("text"):
            content.lines.append(p["text"])
        content.sms = _("A resident gave an opinion on “%(title)s”.") % facts
    elif n.kind == Kind.ISSUE_RATING:
        facts["score"] = p.get("score", "")
        content.subject = _("The raiser rated “%(title)s” %(score)s of 5") % facts
        content.lines = [_("The raiser rated the outcome of “%(title)s” %(score)s of 5.") % facts]
        if p.get("comment"):
            content.lines.append(_("Comment: %(comment)s") % {"comment": p["comment"]})
        content.sms = _("The raiser rated the outcome of “%(title)s” %(score)s of 5.") % facts
    elif n.kind == Kind.ISSUE_DONE:
        content.subject = _("Work on “%(title)s” is reported done") % facts
        content.lines = [
            _("The work on “%(title)s” in %(village)s is reported done; please supervise it.") % facts,
            facts["note"],
        ]
        content.sms = _("Work on “%(title)s” is reported done; please supervise it.") % facts
    elif n.kind == Kind.ISSUE_SENT_BACK:
        content.subject = _("Work on “%(title)s” was sent back") % facts
        content.lines = [_("The supervisor sent the work on “%(title)s” back.") % facts]
        if facts["note"]:
            content.lines.append(_("Reason: %(note)s") % facts)
        content.sms = _("The work on “%(title)s” was sent back: %(note)s") % {
            **facts,
            "note": _short(facts["note"]),
        }
    elif n.kind == Kind.ISSUE_WITHDRAWN:
        content.subject = _("“%(title)s” was withdrawn") % facts
        content.lines = [_("The raiser withdrew “%(title)s” in %(village)s.") % facts]
        content.sms = _("“%(title)s” (%(village)s) was withdrawn by the raiser.") % facts
    elif n.kind == Kind.ISSUE_ESCALATED:
        content.subject = _("“%(title)s” was escalated") % facts
        content.lines = [_("“%(title)s” in %(village)s was escalated to the township.") % facts]
        if facts["note"]:
            content.lines.append(_("Why: %(note)s") % facts)
        content.sms = _("“%(title)s” (%(village)s) was escalated to the township.") % facts
    elif n.kind in (Kind.ISSUE_OVERDUE, Kind.ISSUE_OVERDUE_ESCALATION):
        facts["stage"] = stage_label(p.get("stage", issue.stage))
        facts["due"] = when(_parse(p.get("due_at")) or issue.stage_due_at)
        facts["responsible"] = (
            issue.responsible.get_short_name() if issue.responsible_id else _("nobody named yet")
        )
        if n.kind == Kind.ISSUE_OVERDUE:
            content.subject = _("Overdue: “%(title)s” (%(stage)s)") % facts
            content.lines = [
                _("The step “%(stage)s” of “%(title)s” in %(village)s was due by %(due)s.") % facts,
                _("Please move the issue on, or note on its timeline why it waits."),
            ]
            content.sms = _("Overdue: “%(title)s” (%(stage)s) was due by %(due)s.") % facts
        else:
            content.subject = _("Still overdue in %(village)s: “%(title)s”") % facts
            content.lines = [
                _("The step “%(stage)s” of “%(title)s” in %(village)s was due by %(due)s and is still open.")
                % facts,
                _("Responsible: %(responsible)s.") % facts,
            ]
            content.sms = _("Still overdue in %(village)s: “%(title)s” (%(stage)s), due by %(due)s.") % facts
    return content


# --- the weekly digest -----------------------------------------------------------------------


def _digest(n: Notification) -> Content:
    p = n.payload
    facts = {
        "township": n.township.name,
        "start": _day(_parse(p["start"])),
        "end": _day(_parse(p["last_day"])),
    }
    rows = p["villages"]
    totals = {
        "open_by_stage": [sum(r["open_by_stage"][str(s)] for r in rows) for s in STEPS],
        "open_total": sum(r["open_total"] for r in rows),
        "overdue": sum(r["overdue"] for r in rows),
        "closed": sum(r["closed"] for r in rows),
    }
    table = {
        "steps": [stage_label(s) for s in STEPS],
        "rows": [
            {
                "name": r["name"],
                "open_by_stage": [r["open_by_stage"][str(s)] for s in STEPS],
                "open_total": r["open_total"],
                "overdue": r["overdue"],
                "closed": r["closed"],
            }
            for r in rows
        ],
        "totals": totals,
    }
    return Content(
        subject=_("Weekly digest for %(township)s, %(start)s to %(end)s") % facts,
        lines=[
            _(
                "Issues per village: open ones by step and overdue ones as of now; "
                "closed ones from %(start)s to %(end)s."
            )
            % facts
        ],
        sms=_("Weekly digest for %(township)s: %(open)s open, %(overdue)s overdue, %(closed)s closed.")
        % {
            **facts,
            "open": totals["open_total"],
            "overdue": totals["overdue"],
            "closed": totals["closed"],
        },
        link=_url("workspace:home"),
        link_label=_("Workspace"),
        table=table,
    )


def _digest_text(table: dict) -> list[str]:
    head = [_("village"), *table["steps"], _("open"), _("overdue"), _("closed")]
    lines = [" | ".join(head)]
    for r in table["rows"]:
        lines.append(
            " | ".join(
                str(x) for x in [r["name"], *r["open_by_stage"], r["open_total"], r["overdue"], r["closed"]]
            )
        )
    t = table["totals"]
    lines.append(
        " | ".join(
            str(x) for x in [_("total"), *t["open_by_stage"], t["open_total"], t["overdue"], t["closed"]]
        )
    )
    return lines


# --- layout ----------------------------------------------------------------------------------


def _recovery(n: Notification) -> Content:
    codes = recovery_codes(n.address)
    facts = {"codes": ", ".join(codes), "link": _url("roundtable:track_lookup")}
    content = Content(subject=_("Your tracking codes"), link=facts["link"], link_label=_("Follow a matter"))
    content.lines = [_("The tracking codes of the matters you raised with this number: %(codes)s.") % facts]
    content.sms = _("Your tracking codes: %(codes)s. Follow your matters at %(link)s") % facts
    return content


def _raiser_meeting(n: Notification) -> Content:
    """To the raiser of a matter on a meeting's agenda: the meeting moved (its time now) or was cancelled."""
    issue, meeting = n.issue, n.meeting
    facts = {
        "title": issue.title,
        "code": issue.tracking_code,
        "roundtable": meeting.roundtable.name,
        "when": when(meeting.starts_at),
        "place": meeting.place,
    }
    link = _url("roundtable:track", code=issue.tracking_code)
    if n.kind == Kind.ISSUE_MEETING_MOVED:
        return Content(
            subject=_("Your matter “%(title)s”: the meeting has moved to %(when)s") % facts,
            lines=[
                _(
                    "The %(roundtable)s meeting that discusses your matter “%(title)s” now takes place "
                    "at %(when)s, at %(place)s."
                )
                % facts,
                _("Tracking code: %(code)s.") % facts,
            ],
            link=link,
            link_label=_("Follow your matter"),
            sms=_(
                "The meeting on your matter “%(title)s” has moved to %(when)s, %(place)s. "
                "Tracking code %(code)s."
            )
            % facts,
        )
    return Content(
        subject=_("Your matter “%(title)s”: the meeting is cancelled") % facts,
        lines=[
            _("The %(roundtable)s meeting that was to discuss your matter “%(title)s” is cancelled.") % facts,
            _("Your matter waits for the next meeting; you will be told when it is on an agenda again."),
            _("Tracking code: %(code)s.") % facts,
        ],
        link=link,
        link_label=_("Follow your matter"),
        sms=_(
            "The meeting on your matter “%(title)s” is cancelled; it waits for the next meeting. "
            "Tracking code %(code)s."
        )
        % facts,
    )


def content_for(n: Notification) -> Content:
    if n.kind == Kind.WEEKLY_DIGEST:
        return _digest(n)
    if n.kind == Kind.CODES_RECOVERY:
        return _recovery(n)

    if n.kind in (Kind.ISSUE_MEETING_MOVED, Kind.ISSUE_MEETING_CANCELLED):
        return _raiser_meeting(n)
    if n.meeting_id:
        return _meeting(n)
    return _issue(n)


def render(n: Notification) -> Rendered:
    """The message in the notification's language: subject, text, HTML and SMS."""
    with translation.override(n.language or settings.LANGUAGE_CODE):
        content = content_for(n)
        greeting = _("Hello %(name)s,") % {"name": n.recipient_label} if n.recipient_label else _("Hello,")
        profile = _url("profile") if n.user_id else ""
        footer = (
            _(
                "You receive this because of your role in Tongxin. "
                "Choose how you are told in your profile: %(url)s"
            )
            % {"url": profile}
            if profile
            else _("You receive this because of your role in Tongxin.")
        )
        parts = [greeting, "", *[line for line in content.lines if line]]
        parts += [f"- {item}" for item in content.items]
        parts += content.closing
        if content.table:
            parts += ["", *_digest_text(content.table)]
        if content.link:
            parts += ["", f"{content.link_label}: {content.link}"]
        parts += ["", "-- ", footer]
        text = "\n".join(parts) + "\n"
        html = render_to_string(
            "notifications/email/message.html",
            {
                "subject": content.subject,
                "greeting": greeting,
                "lines": [line for line in content.lines if line],
                "items": content.items,
                "closing": content.closing,
                "table": content.table,
                "link": content.link,
                "link_label": content.link_label,
                "footer": footer,
                "language": n.language,
            },
        )
        sms = SMS_PREFIX + (content.sms or content.subject)
    # Titles are typed by people: a subject (a mail header) and an SMS are one clean line.
    subject = one_line(content.subject, limit=200)
    return Rendered(subject=subject, text=text, html=html, sms=one_line(sms))
