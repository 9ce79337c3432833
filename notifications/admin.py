from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import PersonalDataAdminMixin, masked
from notifications.models import Notification
from notifications.services import notifications_resend


class ErrorFilter(admin.SimpleListFilter):
    """Rows whose last attempt failed, whatever their status."""

    title = _("error")
    parameter_name = "error"

    def lookups(self, request, model_admin):
        return [("yes", _("with an error")), ("no", _("without an error"))]

    def queryset(self, request, queryset):
        failed = queryset.filter(attempts__gt=0, sent_at__isnull=True).exclude(last_error="")
        if self.value() == "yes":
            return failed
        if self.value() == "no":
            return queryset.exclude(pk__in=failed.values("pk"))
        return queryset


@admin.register(Notification)
class NotificationAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = [
        "due_at",
        "kind",
        "channel",
        "recipient",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", ErrorFilter, "channel", "kind", "language"]
    search_fields = ["recipient_label", "subject", "dedup_key", "last_error"]
    personal_fields = ("address",)
    date_hierarchy = "due_at"
    list_select_related = ["user"]
    raw_id_fields = ["user", "meeting", "issue", "township"]
    actions = ["resend"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    fieldsets = (
        (None, {"fields": ("kind", "channel", "status", "user", "address", "recipient_label", "language")}),
        (
            _("About"),
            {"fields": ("meeting", "issue", "township", "schedule_version", "about_time", "payload")},
        ),
        (
            _("Delivery"),
            {
                "fields": (
                    "due_at",
                    "next_attempt_at",
                    "attempts",
                    "last_error",
                    "sent_at",
                    "dedup_key",
                    "created_at",
                )
            },
        ),
        (_("Message as sent"), {"fields": ("subject", "body", "html")}),
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        # Rows are read-only in the admin; putting a failed one back in the queue is the one change allowed.
        return request.user.has_perm("notifications.change_notification")

    @admin.display(description=_("recipient"), ordering="address")
    def recipient(self, obj):
        return obj.recipient_label or masked(obj.address)

    @admin.display(description=_("last error or reason"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("Send the selected failed messages again"), permissions=["resend"])
    def resend(self, request, queryset):
        count = notifications_resend(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d failed message is queued again.",
                "%(count)d failed messages are queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
