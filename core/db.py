"""Which database a block of reads goes to: the read replica for dashboards and exports, else the primary.

Views that only read aggregates (dashboards, exports) opt in with ``@reads_from_replica`` or
``with replica_reads():``; the database router (configured when ``DATABASE_REPLICA_URL`` is set) sends their
reads to the replica. Everything else, and every write, stays on the primary, so a user always reads what
they have just written.
"""

import contextvars
from contextlib import contextmanager
from functools import wraps

_replica_wanted = contextvars.ContextVar("tongxin_replica_reads", default=False)


def replica_reads_wanted() -> bool:
    """True inside a block that asked for replica reads."""
    return _replica_wanted.get()


@contextmanager
def replica_reads():
    """Send the reads of this block to the read replica, when one is configured."""
    token = _replica_wanted.set(True)
    try:
        yield
    finally:
        _replica_wanted.reset(token)


def reads_from_replica(view):
    """Decorate a read-only view so that its queries go to the read replica, when one is configured.

    A streaming response's generator runs after the view returns: build it inside ``replica_reads()``.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


@contextmanager
def prepared_statements():
    """Within this block, the statements the default connection has run ``settings.DB_PREPARE_THRESHOLD``
    times are prepared and run prepared (PostgreSQL with server-side binding), so they are planned once per
    connection instead of on every page (issue 13).

    For reads by keys only (a matter by its number, a village by its code, a tracking code): a prepared
    statement may get a generic plan, planned without its values, which for a filtered list or a
    dashboard's villages can be many times slower than the plan for the values. Outside such a block
    nothing is prepared and nothing prepared is used."""
    from django.conf import settings
    from django.db import connection

    threshold = getattr(settings, "DB_PREPARE_THRESHOLD", None)
    if not threshold or connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before, raw.prepare_threshold = raw.prepare_threshold, threshold
    try:
        yield
    finally:
        raw.prepare_threshold = before  # None outside every block (Django opens connections without)


def with_prepared_statements(view):
    """Decorate a view that reads by keys only: see ``prepared_statements``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with prepared_statements():
            return view(*args, **kwargs)

    return wrapper
