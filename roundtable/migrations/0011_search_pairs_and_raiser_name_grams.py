"""PostgreSQL only (nothing on SQLite, which searches by scanning): what keeps the search flat with history.

- ``issue_village_text_pairs``: every pair of adjacent characters of the title and the description, in
  capitals, keyed by the village ("12:路灯"). A search within a few villages (the cadre's list, a township's
  staff search) asks for the pattern's pairs in those villages only: the index returns the village's
  matters having them, never the whole district's (``issue_text_grams`` has the village as a column, but
  the planner does not narrow a GIN scan by it, and the district's list of matters having "路灯" grows
  with the district's history). No single characters: a one-character pattern still uses
  ``issue_text_grams``. The index function leaves repeated pairs in: GIN keeps each key once per row.
- ``tongxin_pattern_grams(t)``: what a pattern must find in ``issue_text_grams`` — its pairs, or its one
  character when that is all (a single character's list of matters is the longest there is).
- ``issue_raiser_name_grams``: the characters and pairs of the raiser's name, keyed by the village, of the
  matters with a name that are not anonymous: the cadre's search by the raiser's name is one more index
  condition within the cadre's villages, so the whole search is one bitmap of indexes instead of a walk
  through the village's matters computing grams (``roundtable.selectors.issue_search_q``).
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION tongxin_pattern_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN length(t) < 2 THEN string_to_array(t, NULL) ELSE (
        SELECT array_agg(DISTINCT substr(t, i, 2)) FROM generate_series(1, length(t) - 1) AS i
    ) END
$$;
CREATE OR REPLACE FUNCTION tongxin_village_pairs(k bigint, t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array(SELECT k || ':' || substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i)
$$;
CREATE OR REPLACE FUNCTION tongxin_village_pattern_pairs(k bigint, t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    -- A pattern shorter than two characters has no pair: its one key is found in no row, never all rows.
    SELECT CASE WHEN length(t) < 2 THEN ARRAY[k || ':' || t] ELSE tongxin_village_pairs(k, t) END
$$;
CREATE OR REPLACE FUNCTION tongxin_keyed_grams(k bigint, t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array(SELECT k || ':' || g FROM unnest(tongxin_grams(t)) AS g)
$$;
CREATE OR REPLACE FUNCTION tongxin_keyed_pattern_grams(k bigint, t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array(SELECT k || ':' || g FROM unnest(tongxin_pattern_grams(t)) AS g)
$$
"""

FORWARD = [
    FUNCTIONS,
    "CREATE INDEX IF NOT EXISTS issue_village_text_pairs ON roundtable_issue "
    "USING gin (tongxin_village_pairs(village_id, upper(title || ' ' || description)))",
    "CREATE INDEX IF NOT EXISTS issue_raiser_name_grams ON roundtable_issue "
    "USING gin (tongxin_keyed_grams(village_id, upper(raiser_name))) "
    "WHERE NOT is_anonymous AND raiser_name <> ''",
]
BACKWARD = [
    "DROP INDEX IF EXISTS issue_raiser_name_grams",
    "DROP INDEX IF EXISTS issue_village_text_pairs",
    "DROP FUNCTION IF EXISTS tongxin_keyed_pattern_grams(bigint, text)",
    "DROP FUNCTION IF EXISTS tongxin_keyed_grams(bigint, text)",
    "DROP FUNCTION IF EXISTS tongxin_village_pattern_pairs(bigint, text)",
    "DROP FUNCTION IF EXISTS tongxin_village_pairs(bigint, text)",
    "DROP FUNCTION IF EXISTS tongxin_pattern_grams(text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("roundtable", "0010_text_search_indexes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
