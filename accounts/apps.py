from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _places_changed(**_signal):
    from core import stamped
    from villages.selectors import PLACES_STAMP

    stamped.renew(PLACES_STAMP)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from accounts.models import Membership
        from villages.models import District, Township, Village, VillageGroup

        # Scopes, the dashboards' lists' places and the villages' groups are kept until one of these changes
        # (core.stamped).
        for model in (Membership, Village, VillageGroup, Township, District):
            for signal in (post_save, post_delete):
                signal.connect(_places_changed, sender=model, dispatch_uid=f"places_changed_{model.__name__}")
