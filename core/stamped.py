"""Values kept in the cache under a stamp: each is computed again once the data it comes from has changed.

A staff page's scope (its user's roles, the townships of their district) and a district official's 400
villages were read from the database on every page: three queries and their Python, a tenth of a district's
list (issue 13). They change only when an administrator changes a membership, a village or a township.
Such a change sets the stamp to a new random value (``renew``); a value computed under another stamp is
never used again.

* ``renew`` runs at once and again when the transaction commits: a page that read the old rows just before
  the commit stored them under the old stamp, so they are not served after it.
* A value is kept ``TIMEOUT`` seconds at most, so that a stamp that could not be renewed (Redis unreachable
  at that moment, and not restarted) holds an old value for five minutes at most.
* Without a stamp in the cache (a cache emptied, Redis down) values are computed and not kept: nothing is
  served that a renewal might have missed.
"""

import logging
import secrets

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

TIMEOUT = 300


def read(stamp: str, key: str, compute):
    """``compute()``, or the value the cache holds for ``key`` if it was computed under the current
    ``stamp``; the stamp and the value come in one round trip."""
    try:
        held = cache.get_many([stamp, key])
    except Exception:  # the database cache unreachable: read as without a cache
        logger.warning("Stamped value %s read without the cache", key, exc_info=True)
        return compute()
    current = held.get(stamp)
    if current is None:
        try:
            cache.add(stamp, secrets.token_hex(8), None)  # kept until renewed; this value is not kept
        except Exception:
            logger.warning("Stamp %s not made (cache unavailable)", stamp, exc_info=True)
        return compute()
    kept = held.get(key)
    if kept is not None and kept[0] == current:
        return kept[1]
    value = compute()
    try:
        cache.set(key, (current, value), TIMEOUT)
    except Exception:
        logger.warning("Stamped value %s not kept (cache unavailable)", key, exc_info=True)
    return value


def renew(*stamps: str, timeout: int | None = None) -> None:
    """Every value kept under ``stamps`` is stale: they get new values now and again when the current
    transaction commits (kept ``timeout`` seconds, by default until renewed). The kept public pages'
    stamps (core.pagecache) are renewed the same way."""

    def new_stamps():
        try:
            cache.set_many({stamp: secrets.token_hex(8) for stamp in stamps}, timeout)
        except Exception:  # an unreachable cache must not turn a committed change into an error page
            logger.warning("Stamps %s not renewed (cache unavailable)", stamps, exc_info=True)

    new_stamps()
    transaction.on_commit(new_stamps)
