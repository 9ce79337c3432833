from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Pages that compose several apps (township home, village page, workspace home) and seed_demo."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = "Portal"
