from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Listen to the workflow's events (roundtable.notify): roundtable does not import notifications.
        from notifications import receivers  # noqa: F401
