"""Drop the single-column indexes on StreetCount's foreign keys: the composite indexes in
Meta already lead with each key, and every extra index slows an import's bulk insert."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("data", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="streetcount",
            name="batch",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="street_counts",
                to="data.importbatch",
            ),
        ),
        migrations.AlterField(
            model_name="streetcount",
            name="force",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, to="data.force"
            ),
        ),
    ]
