"""Re-encrypts every personal data value under the first key of TONGXIN_DATA_KEYS, and recomputes hashes.

Key rotation (README "Personal data"): put the new key first in TONGXIN_DATA_KEYS, keep the old ones
after it, restart, run this command, then drop the old keys. Safe to run twice or to interrupt.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core import crypto
from core.fields import BlindIndexField, EncryptedCharField


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current key and recompute the keyed hashes."

    def handle(self, *args, **options):
        crypto.reset_keys()
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
            if not fields:
                continue
            hashes = [f.name for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
            with transaction.atomic():
                written = crypto.encrypt_existing_rows(model, fields, hashes)
            total += written
            self.stdout.write(f"{model._meta.label}: {written} rows ({', '.join(fields + hashes)})")
        self.stdout.write(self.style.SUCCESS(f"{total} rows written under the current key."))
