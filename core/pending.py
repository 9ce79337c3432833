"""Uploads kept between two tries of a form: a photo that was fine is not asked for again after an error.

The file waits in the default storage under ``pending/`` and the form carries a signed token naming it
(so nobody can point a form at another file); tokens and files expire after a day.
"""

import datetime
import secrets

from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

FOLDER = "pending"
MAX_AGE = 24 * 60 * 60
_SALT = "core.pending"


def pending_save(upload) -> str:
    """Stores an already checked upload and returns the signed token that brings it back."""
    extension = (upload.name or "").rpartition(".")[2].lower()
    name = f"{FOLDER}/{secrets.token_urlsafe(16)}.{extension if extension in ('jpg', 'png') else 'bin'}"
    upload.seek(0)
    stored = default_storage.save(name, upload)
    upload.seek(0)
    return signing.TimestampSigner(salt=_SALT).sign(stored)


def pending_load(token: str):
    """The upload a token names, or None when the token is forged, expired or its file gone."""
    try:
        name = signing.TimestampSigner(salt=_SALT).unsign(token or "", max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not name.startswith(f"{FOLDER}/") or ".." in name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as fh:
        content = fh.read()
    content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    return SimpleUploadedFile(name.rpartition("/")[2], content, content_type=content_type)


def pending_purge(*, now=None) -> int:
    """Deletes pending files older than a day; returns how many."""
    now = now or timezone.now()
    try:
        _dirs, files = default_storage.listdir(FOLDER)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    removed = 0
    for filename in files:
        name = f"{FOLDER}/{filename}"
        if default_storage.get_modified_time(name) < now - datetime.timedelta(seconds=MAX_AGE):
            default_storage.delete(name)
            removed += 1
    return removed
