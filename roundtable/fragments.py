"""Cached pieces of public pages about a village's matters, dropped by the workflow when they change.

The village page's matters section (figures, recent decisions, work in progress, roundtables) is cached
per village and language for ``VILLAGE_SECTION_SECONDS``; every workflow write (each one logs a timeline
entry, ``workflow._log``) drops the village's copies once its transaction commits, so a move shows at once.
Edits made elsewhere (a roundtable renamed in the admin) show within the minute. A resident's own tracking
page is never cached."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction

logger = logging.getLogger(__name__)

# The fragment's name as portal/village_detail.html's {% cache %} spells it (the tag takes it literally).
VILLAGE_SECTION = "village_matters"
VILLAGE_SECTION_SECONDS = 60


def village_section_keys(village_id: int) -> list[str]:
    return [
        make_template_fragment_key(VILLAGE_SECTION, [village_id, code]) for code, _name in settings.LANGUAGES
    ]


def village_changed(village_id: int) -> None:
    """Drops the village's cached sections now and again when the current transaction commits (a page
    rendered meanwhile, before the commit, may have cached the old state)."""

    def drop():
        try:
            cache.delete_many(village_section_keys(village_id))
        except Exception:  # an unreachable cache must not turn a committed move into an error page
            logger.warning(
                "Village %s: cached sections not dropped (cache unavailable)", village_id, exc_info=True
            )

    drop()
    transaction.on_commit(drop)
