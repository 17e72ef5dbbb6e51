"""Org.abbreviation: the issuer part of its documents' symbols (HD 36-HD/VPTW), filled by type."""

from __future__ import annotations

from django.db import migrations, models


def fill(apps, schema_editor) -> None:  # noqa: ANN001
    from chibo.orgs.letterhead import default_abbreviation

    Org = apps.get_model("orgs", "Org")
    for org in Org.objects.filter(abbreviation="").only("id", "name", "kind").iterator():
        Org.objects.filter(pk=org.pk).update(abbreviation=default_abbreviation(org.name, org.kind))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="org",
            name="abbreviation",
            field=models.CharField(
                blank=True, max_length=24, verbose_name="document abbreviation"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
