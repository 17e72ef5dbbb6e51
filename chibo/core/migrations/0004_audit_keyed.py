# The audit chain is keyed from now on (HMAC-SHA256 under CHIBO_AUDIT_KEY):
# the entries already written keep their SHA-256 links, and keyed_from marks
# where they end. The first keyed entry's HMAC covers the last of them.

from django.db import migrations, models


def mark_existing(apps, schema_editor):
    AuditHead = apps.get_model("core", "AuditHead")
    for head in AuditHead.objects.using(schema_editor.connection.alias).all():
        head.keyed_from = head.last_seq
        head.save(update_fields=["keyed_from"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_notification"),
    ]

    operations = [
        migrations.AddField(
            model_name="audithead",
            name="keyed_from",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(mark_existing, migrations.RunPython.noop),
    ]
