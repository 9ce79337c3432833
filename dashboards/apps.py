from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Township, district and village dashboards: reads every other app, writes nothing of theirs."""

    name = "dashboards"
    verbose_name = _("Dashboards")
