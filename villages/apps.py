from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("Villages")

    def ready(self):
        from villages.models import Township
        from villages.selectors import forget_default_township

        post_save.connect(forget_default_township, sender=Township, dispatch_uid="forget_default_township")
        post_delete.connect(forget_default_township, sender=Township, dispatch_uid="forget_default_township")
