"""Each resolution keeps its issue's village, so that the village page's recent decisions are read from the
index ``resolution_village_recent`` instead of walking the district's decisions newest first."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_villages(apps, schema_editor):
    """The issue's village on every resolution (as ``services.resolution_villages_fill`` does)."""
    Issue = apps.get_model("roundtable", "Issue")
    Resolution = apps.get_model("roundtable", "Resolution")
    village = Issue.objects.filter(pk=OuterRef("issue_id")).values("village_id")[:1]
    Resolution.objects.filter(village__isnull=True).update(village_id=Subquery(village))


class Migration(migrations.Migration):

    dependencies = [
        ('roundtable', '0011_search_pairs_and_raiser_name_grams'),
        ('villages', '0002_district'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='resolution',
            name='village',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='villages.village', verbose_name='village'),
        ),
        migrations.RunPython(fill_villages, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='resolution',
            index=models.Index(condition=models.Q(('adopted', True)), fields=['village', '-created_at'], name='resolution_village_recent'),
        ),
    ]
