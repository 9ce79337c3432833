"""PostgreSQL indexes for finding matters by their words (nothing on SQLite, which searches by scanning).

- ``issue_title_trgm``: trigrams of the title within a village, for likely duplicates (``title % …`` with
  ``pg_trgm.similarity_threshold`` set, see ``roundtable.selectors.similar_issues``).
- ``issue_text_grams``: every character and every pair of adjacent characters of the title and the
  description, in capitals, within a village: the cadre list's ``?q=`` for Chinese, whose words are often
  one or two characters, which trigrams cannot serve (``roundtable.selectors.search_q``).
"""

from django.db import migrations

GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION tongxin_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}'::text[]) FROM (
        SELECT substr(t, i, 1) AS g FROM generate_series(1, length(t)) AS i
        UNION ALL
        SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i
    ) AS grams
$$
"""

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    GRAMS_FUNCTION,
    "CREATE INDEX IF NOT EXISTS issue_title_trgm ON roundtable_issue "
    "USING gin (village_id, title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS issue_text_grams ON roundtable_issue "
    "USING gin (village_id, tongxin_grams(upper(title || ' ' || description)))",
]
BACKWARD = [
    "DROP INDEX IF EXISTS issue_text_grams",
    "DROP INDEX IF EXISTS issue_title_trgm",
    "DROP FUNCTION IF EXISTS tongxin_grams(text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("roundtable", "0009_issue_tally_and_open_due_indexes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
