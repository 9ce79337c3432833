"""``field__any=[…]``: membership in a list passed as one array parameter on PostgreSQL (``= ANY(%s)``).

``__in`` writes one placeholder a value and prepares each value in Python; a district official's lists
filter by 400 villages, and that, compiled for the count and for the page, was a tenth of such a page's time
(issue 13). The planner treats ``IN (…)`` and ``= ANY(array)`` alike. Elsewhere (SQLite) it is ``__in``."""

from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


@ForeignObject.register_lookup  # a relation's lookups are its own, not Field's
@Field.register_lookup
class AnyOf(In):
    lookup_name = "any"

    def get_prep_lookup(self):
        if isinstance(self.rhs, (list, tuple, set, frozenset)) and all(type(v) is int for v in self.rhs):
            return list(self.rhs)  # numbers already: not prepared one by one (twice, for a count and a page)
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value() is False or not isinstance(self.rhs, (list, tuple, set, frozenset)):
            return super().as_sql(compiler, connection)  # a subquery: as __in
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = self.rhs
        if all(type(v) is int for v in values):
            # Numbers go as the array's text ('{1,2,3}'): psycopg dumps a list of 400 numbers item by item
            # in Python, three times slower than joining them.
            values = "{%s}" % ",".join(map(str, values))  # noqa: UP031
        else:
            values = [field.get_db_prep_value(v, connection, prepared=True) for v in values if v is not None]
        return f"{lhs} = ANY(%s::{field.db_type(connection)}[])", (*lhs_params, values)
