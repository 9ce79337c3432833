"""Settings for the test suite: development defaults plus fast hashing and finder-served statics."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_HTTPS", "0")

from config.settings import *  # noqa: F403
from config.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests roll the database back after each; a Redis cache (when REDIS_URL is set, as in CI) would carry
# rate-limit counters from one test into the next. The stack tests run the real Redis cache (tests/stack).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tongxin_cache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# No beat runs beside the unit tests: /healthz's beat check is tested with this set (tests/test_core_*.py).
HEALTHZ_BEAT_MAX_SILENCE = 0
