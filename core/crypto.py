"""Personal data at rest: Fernet encryption with rotating keys, and a keyed hash for look-ups.

Keys come from the environment: ``TONGXIN_DATA_KEYS`` is a comma-separated list of Fernet keys, the first
encrypts, every one decrypts (so a new key can be put in front and the old ones kept until
``manage.py personal_data_rotate`` has re-encrypted every row). ``TONGXIN_DATA_HASH_KEY`` keys the HMAC
that lets a mobile number be searched or kept unique without storing it in clear. In development both are
generated once into an untracked file, like ``.secret_key``. See README "Personal data".
"""

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# Every Fernet token starts with the version byte 0x80, "gAAAAA" in URL-safe base64: no mobile or ID number
# does, so a value without it is one written before encryption (read as it is, re-encrypted on rotation).
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 - not a secret


UNREADABLE = "A personal data value cannot be decrypted with the configured keys."


class PersonalDataKeyError(Exception):
    """A token none of the configured keys opens."""


@functools.cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.PERSONAL_DATA_KEYS if k.strip()]
    if not keys:
        raise PersonalDataKeyError("No personal data key configured (TONGXIN_DATA_KEYS).")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def reset_keys() -> None:
    """Forget the cached keys (after the settings changed: tests, rotation)."""
    _fernet.cache_clear()


def encrypt(value: str) -> str:
    """The value encrypted with the first key; empty stays empty (so "has none" can still be asked)."""
    if not value:
        return value or ""
    return _fernet().encrypt(value.encode()).decode()


def is_encrypted(stored: str) -> bool:
    return bool(stored) and stored.startswith(TOKEN_PREFIX)


def decrypt(stored: str) -> str:
    if not is_encrypted(stored):
        return stored or ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise PersonalDataKeyError(UNREADABLE) from exc


def rotate(stored: str) -> str:
    """The stored value under the first key (a clear value is encrypted); empty stays empty."""
    if not stored:
        return ""
    if not is_encrypted(stored):
        return encrypt(stored)
    try:
        return _fernet().rotate(stored.encode()).decode()
    except InvalidToken as exc:
        raise PersonalDataKeyError(UNREADABLE) from exc


def blind_index(value: str) -> str:
    """HMAC-SHA256 of the normalised value under the hash key, hex; empty for an empty value."""
    normalised = "".join((value or "").split()).upper()
    if not normalised:
        return ""
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def new_key() -> str:
    return Fernet.generate_key().decode()


def new_hash_key() -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(Fernet.generate_key()).digest()).decode()


def encrypt_existing_rows(model, fields: list[str], hashes: list[str] = ()) -> int:
    """Rewrites every row that has a value in ``fields`` under the first key, and its keyed hashes.

    Clear values (written before encryption) get encrypted, values under an old key re-encrypted, hashes
    recomputed (so the hash key can be rotated too). Written with an UPDATE per row: no ``auto_now``, no
    signals. For data migrations (pass the historical model) and ``personal_data_rotate``; returns the rows.
    """
    sources = {name: model._meta.get_field(name).source for name in hashes}
    written = 0
    for obj in model._base_manager.all().iterator(chunk_size=500):
        if not any(getattr(obj, f) for f in fields):
            continue
        values = {f: getattr(obj, f) for f in fields}
        values.update({name: blind_index(getattr(obj, source) or "") for name, source in sources.items()})
        model._base_manager.filter(pk=obj.pk).update(**values)
        written += 1
    return written
