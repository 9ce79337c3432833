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
# The resident form's time trap is off in tests (a browser test fills it in well under 3 s); the tests of
# the trap itself set it.
SUBMIT_MIN_SECONDS = 0
# Tests roll the database back after each; a Redis cache (when REDIS_URL is set, as in CI) would carry
# rate-limit counters from one test into the next. The stack tests run the real Redis cache (tests/stack);
# the concurrency tests of the rate limits run both caches (tests/test_core_ratelimit.py).
CACHES = {"default": {"BACKEND": "core.dbcache.AtomicDatabaseCache", "LOCATION": "tongxin_cache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# No beat runs beside the unit tests: /healthz's beat check is tested with this set (tests/test_core_*.py).
HEALTHZ_BEAT_MAX_SILENCE = 0
