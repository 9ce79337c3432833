"""Township.district was free text; it becomes a District row above the township (data kept)."""

import django.db.models.deletion
from django.db import migrations, models

# Names the demo and the source use, with the pinyin code a district keeps in addresses.
KNOWN_CODES = {"泉州市洛江区": "luojiang", "洛江区": "luojiang"}


def text_to_districts(apps, schema_editor):
    District = apps.get_model("villages", "District")
    Township = apps.get_model("villages", "Township")
    made = {}
    for township in Township.objects.order_by("pk"):
        name = township.district_name.strip()
        if not name:
            continue
        if name not in made:
            code = KNOWN_CODES.get(name)
            if code is None or District.objects.filter(code=code).exists():
                code = f"district-{len(made) + 1}"
            made[name] = District.objects.create(name=name, code=code)
        township.district = made[name]
        township.save(update_fields=["district"])


def districts_to_text(apps, schema_editor):
    Township = apps.get_model("villages", "Township")
    for township in Township.objects.select_related("district"):
        township.district_name = township.district.name if township.district_id else ""
        township.save(update_fields=["district_name"])


class Migration(migrations.Migration):
    dependencies = [("villages", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="District",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
            ],
            options={"verbose_name": "district", "verbose_name_plural": "districts", "ordering": ["name"]},
        ),
        migrations.RenameField(model_name="township", old_name="district", new_name="district_name"),
        migrations.AddField(
            model_name="township",
            name="district",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="townships",
                to="villages.district",
                verbose_name="district",
            ),
        ),
        migrations.RunPython(text_to_districts, districts_to_text),
        migrations.RemoveField(model_name="township", name="district_name"),
    ]
