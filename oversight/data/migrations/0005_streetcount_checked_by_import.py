"""Drop the database's foreign key constraints on StreetCount. PostgreSQL checked each of an
import's counts one by one at commit (Django declares them DEFERRABLE INITIALLY DEFERRED), which
took most of the time of storing a large import; the import now checks its counts once by a
query before it commits (``services.police_uk._check_stored_counts``)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("data", "0004_ons_workforce_survey_and_undo_log"),
    ]

    operations = [
        migrations.AlterField(
            model_name="streetcount",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
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
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                to="data.force",
            ),
        ),
    ]
