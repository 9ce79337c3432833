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
