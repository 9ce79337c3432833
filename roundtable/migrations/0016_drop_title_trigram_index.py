"""Drops ``issue_title_trgm`` (village, title trigrams): likely duplicates now compare the title with the
village's latest matters only (``roundtable.selectors.SIMILAR_WINDOW``, read off ``issue_village_recent``),
so nothing reads it any more, and every new matter and every title edit had to keep it up.
"""

from django.db import migrations


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("roundtable", "0015_keyed_grams_self_contained")]

    operations = [
        migrations.RunPython(
            _run("DROP INDEX IF EXISTS issue_title_trgm"),
            _run(
                "CREATE INDEX IF NOT EXISTS issue_title_trgm ON roundtable_issue "
                "USING gin (village_id, title gin_trgm_ops)"
            ),
        )
    ]
