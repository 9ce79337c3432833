"""The database router behind ``DATABASE_REPLICA_URL``: replica reads where a view asked for them.

Configured in settings only when a replica is set. Reads inside ``core.db.replica_reads()`` (the dashboards
and the exports) go to the ``replica`` alias, except for the apps in ``DATABASE_REPLICA_PRIMARY_APPS``
(sessions, users and roles, the cache), which a user must always read fresh. Every other read and every
write goes to the primary, so a user always reads what they have just written; migrations run on the
primary only (the standby receives them by streaming replication).
"""

from django.conf import settings

from core.db import replica_reads_wanted

PRIMARY = "default"
REPLICA = "replica"


class ReplicaRouter:
    """Sends a replica block's reads to the standby and everything else to the primary."""

    def db_for_read(self, model, **hints):
        if replica_reads_wanted() and model._meta.app_label not in settings.DATABASE_REPLICA_PRIMARY_APPS:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
