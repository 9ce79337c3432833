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

import uuid

from django.core.cache import cache
from django.db import transaction

TIMEOUT = 300


def read(stamp: str, key: str, compute):
    """``compute()``, or the value the cache holds for ``key`` if it was computed under the current
    ``stamp``; the stamp and the value come in one round trip."""
    held = cache.get_many([stamp, key])
    current = held.get(stamp)
    if current is None:
        cache.add(stamp, uuid.uuid4().hex, None)  # kept until renewed; this value is not kept under it
        return compute()
    kept = held.get(key)
    if kept is not None and kept[0] == current:
        return kept[1]
    value = compute()
    cache.set(key, (current, value), TIMEOUT)
    return value


def renew(stamp: str) -> None:
    """Every value kept under ``stamp`` is computed again, now and after the current transaction commits."""

    def new_stamp():
        cache.set(stamp, uuid.uuid4().hex, None)

    new_stamp()
    transaction.on_commit(new_stamp)
