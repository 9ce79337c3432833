"""Model fields for personal data: stored encrypted, with a keyed hash beside them where look-ups need it."""

from django.db import models

from core import crypto


class EncryptedCharField(models.CharField):
    """A CharField whose value is Fernet-encrypted in the database (a text column) and clear in Python.

    ``max_length`` and validators apply to the clear value. Only the empty value can be looked up
    (``mobile=""``); to find or compare a value, look up its BlindIndexField.
    """

    def get_internal_type(self):
        return "TextField"

    def db_type(self, connection):
        return connection.data_types["TextField"]

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return crypto.decrypt(value)

    def get_db_prep_save(self, value, connection):
        # Only what is written is encrypted; a look-up compares clear text with ciphertext and finds
        # nothing but the empty value (and constraints checked in Python see the clear value).
        value = super().get_db_prep_save(value, connection)
        if value is None:
            return value
        return crypto.encrypt(str(value))


class BlindIndexField(models.CharField):
    """The keyed hash (HMAC) of another field's clear value, kept in step on every save."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.blind_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
