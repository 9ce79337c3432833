from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedCharField


class Notification(models.Model):
    """One message to one address on one channel: written with the change that causes it, sent once."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("text message")

    class Kind(models.TextChoices):
        MEETING_REMINDER_DAY = "meeting_reminder_24h", _("meeting reminder, a day before")
        MEETING_REMINDER_HOUR = "meeting_reminder_1h", _("meeting reminder, an hour before")
        MEETING_MOVED = "meeting_moved", _("meeting moved")
        MEETING_CANCELLED = "meeting_cancelled", _("meeting cancelled")
        ISSUE_MEETING_MOVED = "issue_meeting_moved", _("meeting of the matter moved (to the raiser)")
        ISSUE_MEETING_CANCELLED = (
            "issue_meeting_cancelled",
            _("meeting of the matter cancelled (to the raiser)"),
        )
        ISSUE_RAISED = "issue_raised", _("new issue")
        ISSUE_RECEIVED = "issue_received", _("issue received (to the raiser)")
        ISSUE_STAGE = "issue_stage", _("issue progress (to the raiser)")
        ISSUE_ASSIGNED = "issue_assigned", _("made responsible")
        ISSUE_OPINION = "issue_opinion", _("resident's opinion")
        ISSUE_RATING = "issue_rating", _("raiser's rating")
        ISSUE_DONE = "issue_done", _("work reported done")
        ISSUE_SENT_BACK = "issue_sent_back", _("work sent back")
        ISSUE_WITHDRAWN = "issue_withdrawn", _("issue withdrawn")
        ISSUE_ESCALATED = "issue_escalated", _("issue escalated")
        ISSUE_OVERDUE = "issue_overdue", _("step overdue")
        ISSUE_OVERDUE_ESCALATION = "issue_overdue_escalation", _("step still overdue (to the liaison)")
        WEEKLY_DIGEST = "weekly_digest", _("weekly digest")
        CODES_RECOVERY = "codes_recovery", _("tracking codes asked for again (to a resident)")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient account"),
    )
    # The address is copied at writing time: members and residents have no account to look it up in.
    address = EncryptedCharField(_("address"), max_length=254)
    recipient_label = models.CharField(_("recipient"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    meeting = models.ForeignKey(
        "roundtable.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("meeting"),
    )
    issue = models.ForeignKey(
        "roundtable.Issue",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("issue"),
    )
    township = models.ForeignKey(
        "villages.Township",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("township"),
    )
    # A reminder belongs to one version of its meeting's time; the sender drops it when the meeting moved.
    schedule_version = models.PositiveIntegerField(_("schedule version"), null=True, blank=True)
    # The meeting start or the stage deadline the message is about.
    about_time = models.DateTimeField(_("about the time"), null=True, blank=True)
    # What the message says beyond its links (a stage, a note, a digest's counts), kept from the moment of
    # writing; the text itself is rendered when it is sent, in the recipient's language.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    # One logical message is written once, however often the hook or the sweep runs.
    dedup_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    due_at = models.DateTimeField(_("due at"))
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error or reason"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-due_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["meeting", "status"], name="notification_meeting"),
            models.Index(fields=["issue", "kind"], name="notification_issue_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_label or self.address}"
