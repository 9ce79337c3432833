from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm for duplicate suggestions and Chinese substring search (a no-op on SQLite)."""

    dependencies = [("roundtable", "0001_initial")]

    operations = [TrigramExtension()]
