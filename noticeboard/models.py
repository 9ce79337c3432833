from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Briefing(models.Model):
    """A public briefing (通报) of a village, or of the whole township when it names no village."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    township = models.ForeignKey(
        "villages.Township", on_delete=models.CASCADE, related_name="briefings", verbose_name=_("township")
    )
    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="briefings",
        verbose_name=_("village"),
        help_text=_("Empty for a briefing of the whole township."),
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=20000)
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    decisions = models.ManyToManyField(
        "roundtable.Resolution", blank=True, related_name="briefings", verbose_name=_("decisions")
    )
    meetings = models.ManyToManyField(
        "roundtable.Meeting", blank=True, related_name="briefings", verbose_name=_("meetings")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["township", "status", "-date"], name="briefing_public_list")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.village_id:
            return reverse("noticeboard:briefing", kwargs={"code": self.village.code, "pk": self.pk})
        return reverse("noticeboard:township_briefing", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class BriefingAttachment(models.Model):
    """An image or PDF attached to a briefing, checked and (images) re-encoded on upload."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("image")
        PDF = "pdf", _("PDF")

    briefing = models.ForeignKey(
        Briefing, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("briefing")
    )
    file = models.FileField(_("file"), upload_to="briefings/%Y/%m/")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    title = models.CharField(_("caption"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.title or self.get_kind_display()

    @property
    def content_type(self) -> str:
        if self.kind == self.Kind.PDF:
            return "application/pdf"
        return "image/png" if self.file.name.endswith(".png") else "image/jpeg"


class Suggestion(models.Model):
    """A suggestion (意见建议) from the public on a briefing or on the village; public once approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting moderation")
        APPROVED = "approved", pgettext_lazy("suggestion", "approved")
        REJECTED = "rejected", _("not published")

    village = models.ForeignKey(
        "villages.Village", on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("village")
    )
    briefing = models.ForeignKey(
        Briefing,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("briefing"),
    )
    text = models.TextField(_("suggestion"), max_length=3000)
    name = models.CharField(
        _("visitor's name"), max_length=50, blank=True, help_text=_("Shown to the village's cadres only.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    reply = models.TextField(_("public reply"), max_length=3000, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["village", "status", "-created_at"], name="suggestion_village_status")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True) | ~Q(reply=""), name="suggestion_reply_has_text"
            )
        ]

    def __str__(self):
        return self.text[:40]
