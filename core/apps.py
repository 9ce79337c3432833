from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing with no domain: tabular import/export, masking, rate limits, operations."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core import lookups  # noqa: F401 — registers ``__any``
