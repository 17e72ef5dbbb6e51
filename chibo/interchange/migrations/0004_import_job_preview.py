from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("interchange", "0003_import_mapping"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="preview",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
