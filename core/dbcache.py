"""Django's database cache with an atomic ``incr``, for rate-limit counters when there is no Redis.

Django's own ``DatabaseCache.incr`` reads, adds and writes back: two requests at once both count one.
Here the row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions, set in
settings, serialise writers) for the read-modify-write, so concurrent requests cannot slip past a limit.
"""

import base64
import datetime
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now


class AtomicDatabaseCache(DatabaseCache):
    """The database cache whose increment is one locked read-modify-write, and whose rate-limit counters
    cost one statement per request (``count_many``), never a count of the table on the request path."""

    COUNTER_PREFIX = "n:"

    def count_many(self, keys: list[tuple[str, int, bool]]) -> dict[str, int]:
        """Counters for ``[(key, ttl seconds, increment)]`` in one statement (two on SQLite, which has no
        INSERT in a WITH): each incremented (created at 1, or started again at 1 once expired) or only read
        (0 for none or expired).

        The rows hold a plain number (their keys have a prefix of their own, so no pickled value of the
        ordinary cache is ever read as one); ``sweep_expired`` removes old rows off the request path."""
        if not keys:
            return {}
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        key_col, value_col, expires_col = quote("cache_key"), quote("value"), quote("expires")
        adapt = connection.ops.adapt_datetimefield_value
        now = tz_now().replace(microsecond=0)
        names, bumps, reads = {}, {}, []
        for key, ttl, increment in keys:
            full_key = self.make_and_validate_key(self.COUNTER_PREFIX + key)
            names[full_key] = key
            if increment:
                bumps[full_key] = ttl
            else:
                reads.append(full_key)
        statements = []
        if bumps:
            rows = ", ".join(["(%s, %s, %s)"] * len(bumps))
            params = []
            for full_key in sorted(bumps):  # one order for every request: concurrent upserts never deadlock
                params += [full_key, "1", adapt(now + datetime.timedelta(seconds=bumps[full_key]))]
            statements.append(
                (
                    f"INSERT INTO {table} ({key_col}, {value_col}, {expires_col}) "  # noqa: S608 - quoted
                    f"VALUES {rows} ON CONFLICT ({key_col}) DO UPDATE SET "
                    f"{value_col} = CASE WHEN {table}.{expires_col} < %s THEN EXCLUDED.{value_col} "
                    f"ELSE CAST(CAST({table}.{value_col} AS INTEGER) + 1 AS TEXT) END, "
                    f"{expires_col} = CASE WHEN {table}.{expires_col} < %s THEN EXCLUDED.{expires_col} "
                    f"ELSE {table}.{expires_col} END "
                    f"RETURNING {key_col}, {value_col}, {expires_col}",
                    [*params, adapt(now), adapt(now)],
                )
            )
        if reads:
            statements.append(
                (
                    f"SELECT {key_col}, {value_col}, {expires_col} FROM {table} "  # noqa: S608 - quoted
                    f"WHERE {key_col} IN ({', '.join(['%s'] * len(reads))})",
                    reads,
                )
            )
        if len(statements) == 2 and connection.vendor == "postgresql":
            (upsert, up_params), (select, read_params) = statements
            statements = [
                (f"WITH up AS ({upsert}) SELECT * FROM up UNION ALL {select}", up_params + read_params),  # noqa: S608
            ]
        found = {}
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                for full_key, value, expires in cursor.fetchall():
                    if full_key in bumps or not self._expired(connection, expires):
                        found[full_key] = int(value)
        return {key: found.get(full_key, 0) for full_key, key in names.items()}

    def sweep_expired(self) -> int:
        """Deletes the expired rows (beat runs it: the request path never culls). Returns how many."""
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE {connection.ops.quote_name('expires')} < %s",  # noqa: S608
                [connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))],
            )
            return cursor.rowcount

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {table} "  # noqa: S608 - quoted names
                f"WHERE {quote('cache_key')} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found.")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301 - our own rows
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s",  # noqa: S608
                [encoded, key],
            )
        return value

    @staticmethod
    def _expired(connection, expires) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        ):
            expires = converter(expires, expression, connection)
        return expires < tz_now().replace(microsecond=0)
