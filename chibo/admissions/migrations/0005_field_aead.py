# Sensitive values move to AES-256-GCM (core.crypto, format c2) under the first
# key of CHIBO_FIELD_KEY; Fernet tokens and plain values are rewritten in place,
# in batches. Reverse: back to Fernet tokens, which the code before read.

import chibo.core.crypto
from django.db import migrations


def forward(apps, schema_editor):
    chibo.core.crypto.reencrypt_columns(schema_editor, "admissions_candidate", ('citizen_id', 'phone'), encrypt=True)


def backward(apps, schema_editor):
    chibo.core.crypto.convert_columns(schema_editor.connection, "admissions_candidate", ('citizen_id', 'phone'), chibo.core.crypto.legacy_encrypt)


class Migration(migrations.Migration):

    dependencies = [
        ("admissions", "0004_decision_received_on"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
