"""Writes for the notice board: briefings and their attachments, suggestions and their moderation."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import pagecache
from noticeboard.models import Briefing, BriefingAttachment, Suggestion
from roundtable.models import Meeting, Resolution
from roundtable.services import photo_clean

MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10

# A briefing's image attachment: a picture for the notice board, smaller than a camera photo.
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def attachment_clean(upload) -> tuple[InMemoryUploadedFile, str]:
    """An image (JPEG/PNG, at most 5 MB, re-encoded without EXIF) or a PDF (at most 10 MB, checked by its
    signature and end marker, renamed). Raises ValidationError with a translated message otherwise."""
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if upload.size > MAX_PDF_BYTES:
            raise ValidationError(_("The PDF is larger than 10 MB."), code="too_large")
        data = upload.read()
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("The PDF file is damaged or incomplete."), code="bad_pdf")
        out = io.BytesIO(data)
        name = f"{uuid.uuid4().hex}.pdf"
        return InMemoryUploadedFile(out, "file", name, "application/pdf", len(data), None), (
            BriefingAttachment.Kind.PDF
        )
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("The image is larger than 5 MB."), code="too_large")
    try:
        image = photo_clean(upload)
    except ValidationError as exc:
        raise ValidationError(_("Attach a JPEG or PNG image or a PDF file."), code="bad_type") from exc
    image.name = f"{uuid.uuid4().hex}{'.png' if image.content_type == 'image/png' else '.jpg'}"
    return image, BriefingAttachment.Kind.IMAGE


def _links(briefing: Briefing, decisions, meetings):
    village_ids = (
        {briefing.village_id}
        if briefing.village_id
        else set(briefing.township.villages.values_list("pk", flat=True))
    )
    decisions = list(decisions or [])
    meetings = list(meetings or [])
    if any(d.issue.village_id not in village_ids or not d.adopted for d in decisions):
        raise ValidationError(_("Link only adopted decisions of this briefing's village."))
    if any(
        m.roundtable.village_id not in village_ids or m.state == Meeting.State.CANCELLED for m in meetings
    ):
        raise ValidationError(_("Link only meetings of this briefing's village that were not cancelled."))
    briefing.decisions.set(decisions)
    briefing.meetings.set(meetings)


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


# The township's list of briefings shows every village's too: its kept copies have a stamp of their own.
BRIEFINGS_SCOPE = "briefings"


def _briefing_changed(briefing: Briefing) -> None:
    """The public pages that list the briefing are stale: the township's list, and its village's pages (a
    township's briefing: every public page's)."""
    if briefing.village_id is None:
        pagecache.township_changed()
    else:
        pagecache.pages_changed(BRIEFINGS_SCOPE, pagecache.village_scope(briefing.village.code))


def _suggestion_changed(suggestion: Suggestion) -> None:
    """The village page counts the suggestions and the suggestions page shows the approved ones."""
    pagecache.village_changed(suggestion.village.code)


@transaction.atomic
def briefing_create(
    *,
    author,
    township,
    title: str,
    body: str,
    date=None,
    village=None,
    decisions: list[Resolution] | None = None,
    meetings: list[Meeting] | None = None,
) -> Briefing:
    """A new briefing, as a draft. Side effects: none until it is published."""
    if village is not None and village.township_id != township.pk:
        raise ValidationError(_("The village is not in this township."))
    briefing = Briefing.objects.create(
        township=township,
        village=village,
        title=_text(title, _("Write a title.")),
        body=_text(body, _("Write the text of the briefing.")),
        date=date or timezone.localdate(),
        author=author,
    )
    _links(briefing, decisions, meetings)
    return briefing


@transaction.atomic
def briefing_update(
    *, briefing: Briefing, title: str, body: str, date, decisions=None, meetings=None
) -> Briefing:
    """Edits a draft or published briefing; a withdrawn one stays as it was withdrawn."""
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if briefing.status == Briefing.Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn briefing cannot be edited."))
    briefing.title = _text(title, _("Write a title."))
    briefing.body = _text(body, _("Write the text of the briefing."))
    briefing.date = date or briefing.date
    briefing.save(update_fields=["title", "body", "date", "updated_at"])
    _links(briefing, decisions, meetings)
    _briefing_changed(briefing)
    return briefing


@transaction.atomic
def briefing_add_attachment(*, briefing: Briefing, upload, title: str = "") -> BriefingAttachment:
    """Checks and stores an image or PDF on a briefing (at most ten per briefing)."""
    if briefing.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(_("A briefing takes at most 10 attachments."))
    cleaned, kind = attachment_clean(upload)
    attachment = BriefingAttachment(briefing=briefing, kind=kind, title=(title or "").strip()[:120])
    attachment.file.save(cleaned.name, cleaned, save=False)
    attachment.save()
    _briefing_changed(briefing)
    return attachment


@transaction.atomic
def briefing_publish(*, briefing: Briefing, actor) -> Briefing:
    """Draft → published: it appears on the public lists, pages and feed."""
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if briefing.status != Briefing.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    briefing.status = Briefing.Status.PUBLISHED
    briefing.published_at = timezone.now()
    briefing.save(update_fields=["status", "published_at", "updated_at"])
    _briefing_changed(briefing)
    return briefing


@transaction.atomic
def briefing_withdraw(*, briefing: Briefing, actor) -> Briefing:
    """Published → withdrawn: it leaves the public lists, pages and feed; staff still see it."""
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if briefing.status != Briefing.Status.PUBLISHED:
        raise ValidationError(_("Only a published briefing can be withdrawn."))
    briefing.status = Briefing.Status.WITHDRAWN
    briefing.withdrawn_at = timezone.now()
    briefing.save(update_fields=["status", "withdrawn_at", "updated_at"])
    _briefing_changed(briefing)
    return briefing


def suggestion_submit(*, village, text: str, briefing: Briefing | None = None, name: str = "") -> Suggestion:
    """A visitor's suggestion on the village or on one of its published briefings; waits for moderation."""
    if briefing is not None and (
        briefing.status != Briefing.Status.PUBLISHED
        or (briefing.village_id and briefing.village_id != village.pk)
    ):
        raise ValidationError(_("Suggestions are taken on published briefings only."))
    suggestion = Suggestion.objects.create(
        village=village,
        briefing=briefing,
        text=_text(text, _("Write your suggestion.")),
        name=(name or "").strip()[:50],
    )
    _suggestion_changed(suggestion)
    return suggestion


def _moderate(suggestion: Suggestion, status: str, actor) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    suggestion.status = status
    suggestion.moderated_by = actor
    suggestion.moderated_at = timezone.now()
    suggestion.save(update_fields=["status", "moderated_by", "moderated_at"])
    _suggestion_changed(suggestion)
    return suggestion


@transaction.atomic
def suggestion_approve(*, suggestion: Suggestion, actor) -> Suggestion:
    """Makes the suggestion public (without the name)."""
    return _moderate(suggestion, Suggestion.Status.APPROVED, actor)


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, actor) -> Suggestion:
    """Keeps the suggestion off the public pages (abuse, personal data, off topic)."""
    return _moderate(suggestion, Suggestion.Status.REJECTED, actor)


@transaction.atomic
def suggestion_reply(*, suggestion: Suggestion, actor, reply: str) -> Suggestion:
    """A public reply; replying approves the suggestion so that question and answer appear together."""
    reply = _text(reply, _("Write the reply."))
    suggestion = _moderate(suggestion, Suggestion.Status.APPROVED, actor)
    suggestion.reply = reply
    suggestion.replied_at = timezone.now()
    suggestion.save(update_fields=["reply", "replied_at"])
    _suggestion_changed(suggestion)
    return suggestion
