"""PostgreSQL only: ``tongxin_keyed_grams`` (the expression of the index ``issue_raiser_name_grams``, 0011)
computes the grams itself instead of calling ``tongxin_grams``.

``pg_restore`` builds indexes with an empty ``search_path``: a function of an index expression that calls
another function of the schema by its bare name fails there, and ``manage.py restore`` with it
(tests/stack: backup and restore). The keys are the same set as before (each character and pair of the
text, keyed by the village), so the index needs no rebuild."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION tongxin_keyed_grams(k bigint, t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array(SELECT DISTINCT k || ':' || g FROM (
        SELECT substr(t, i, 1) AS g FROM generate_series(1, length(t)) AS i
        UNION ALL
        SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i
    ) AS grams)
$$
"""
BACKWARD = """
CREATE OR REPLACE FUNCTION tongxin_keyed_grams(k bigint, t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array(SELECT k || ':' || g FROM unnest(tongxin_grams(t)) AS g)
$$
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("roundtable", "0014_open_escalated_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
