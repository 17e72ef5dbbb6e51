# Issue 24: the dashboard's events counted per ancestor org and month, kept by triggers.

from django.db import migrations, models


def install(apps, schema_editor):
    # The triggers and the backfill come from chibo.reports.tallies (one definition of the
    # SQL). Changing the triggers later means a new migration that installs them again.
    from chibo.reports import tallies

    tallies.install(schema_editor.connection)
    tallies.rebuild(schema_editor.connection.alias)


def uninstall(apps, schema_editor):
    from chibo.reports import tallies

    with schema_editor.connection.cursor() as cursor:
        for sql in tallies.uninstall_sql(schema_editor.connection.vendor):
            cursor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0001_initial'),
        ('members', '0009_late_transfer_decision'),
        ('orgs', '0002_org_abbreviation'),
    ]

    operations = [
        migrations.CreateModel(
            name='EventTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ancestor', models.IntegerField()),
                ('ym', models.IntegerField()),
                ('unit', models.IntegerField()),
                ('kind', models.CharField(max_length=20)),
                ('school_level', models.CharField(blank=True, default='', max_length=20)),
                ('category', models.CharField(blank=True, default='', max_length=16)),
                ('n', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('ancestor', 'ym', 'unit', 'kind', 'school_level', 'category'), name='reports_tally_key')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
