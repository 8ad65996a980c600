# A report built from the staff area, kept until it is published.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0001_initial'),
        ('reports', '0001_published_report'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportDraft',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('quarterly', 'Quarterly performance report'), ('thematic', 'Thematic update'), ('annual', 'Annual report')], max_length=10)),
                ('period', models.CharField(help_text='Quarter (2025/26 Q1) or financial year (2025/26)', max_length=12)),
                ('theme_number', models.PositiveIntegerField(blank=True, help_text='The theme of a thematic update', null=True)),
                ('public', models.BooleanField(default=True, help_text='Public measures only')),
                ('title', models.CharField(max_length=250)),
                ('built_at', models.DateTimeField()),
                ('built_by_name', models.CharField(max_length=150)),
                ('seconds', models.FloatField(help_text='How long building the three files took')),
                ('context', models.JSONField(help_text='The report data the files were rendered from')),
                ('html', models.TextField()),
                ('pdf', models.BinaryField()),
                ('docx', models.BinaryField()),
                ('built_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_drafts', to='plans.plan')),
                ('published', models.ForeignKey(blank=True, help_text='The version published from this draft', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='drafts', to='reports.publishedreport')),
            ],
            options={
                'ordering': ['-built_at', '-id'],
            },
        ),
    ]
