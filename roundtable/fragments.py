"""Cached pieces of public pages about a village's matters, dropped by the workflow when they change;
the same call marks the village's whole public pages kept for anonymous visitors stale (core.pagecache).

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

from core import pagecache
from villages.models import Village

logger = logging.getLogger(__name__)

# The fragment's name as portal/village_detail.html's {% cache %} spells it (the tag takes it literally).
VILLAGE_SECTION = "village_matters"
VILLAGE_SECTION_SECONDS = 60


def village_section_keys(village_id: int) -> list[str]:
    return [
        make_template_fragment_key(VILLAGE_SECTION, [village_id, code]) for code, _name in settings.LANGUAGES
    ]


def village_changed(village_id: int, code: str | None = None) -> None:
    """Drops the village's cached sections now and again when the current transaction commits (a page
    rendered meanwhile, before the commit, may have cached the old state), and renews the stamp of its
    kept public pages likewise. ``code``: the village's, when the caller has it (else it is read)."""
    if code is None:
        code = Village.objects.filter(pk=village_id).values_list("code", flat=True).first()
    if code is not None:
        pagecache.village_changed(code)

    def drop():
        try:
            cache.delete_many(village_section_keys(village_id))
        except Exception:  # an unreachable cache must not turn a committed move into an error page
            logger.warning(
                "Village %s: cached sections not dropped (cache unavailable)", village_id, exc_info=True
            )

    drop()
    transaction.on_commit(drop)


def issue_village_changed(issue) -> None:
    """``village_changed`` for the issue's village (its code read only when the village is not loaded)."""
    village = issue.village if type(issue).village.is_cached(issue) else None
    village_changed(issue.village_id, village.code if village is not None else None)
