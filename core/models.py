from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a periodic job (beat's heartbeat task) ran, for /healthz and the metrics."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    at = models.DateTimeField(_("last run"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


def choice_display(field_name: str, choices):
    """A ``get_<field>_display`` method that looks the label up in a dict made once.

    Django's own rebuilds a hashable dict of every choice, translating each label, on every call; a list
    shows one per row (issue 13). Same result: the label in the active language, else the value."""
    labels = dict(choices)

    def get_display(self):
        value = getattr(self, field_name)
        return force_str(labels.get(value, value), strings_only=True)

    get_display.__name__ = f"get_{field_name}_display"
    return get_display
