"""A force's month has at most one current data.police.uk file."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("data", "0002_streetcount_fewer_indexes"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="importbatch",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "police-uk"), ("status", "current")),
                fields=("force", "month"),
                name="importbatch_one_current_street_file",
            ),
        ),
    ]
