"""ApiToken.second_factor: whether the token was created after the two-step login.

Existing tokens count as created so when their user had confirmed a second
factor before the token was made: the token page then asked for the code at
login (``twofactor.needs_second_factor``). The others are refused once the
user's roles require the two-step login; their owner creates a new one.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def mark_existing(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    TwoFactorDevice = apps.get_model("accounts", "TwoFactorDevice")
    enrolled_before = TwoFactorDevice.objects.filter(
        user_id=OuterRef("user_id"),
        confirmed_at__isnull=False,
        confirmed_at__lte=OuterRef("created_at"),
    )
    ApiToken.objects.filter(Exists(enrolled_before)).update(second_factor=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_role_request"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="second_factor",
            field=models.BooleanField(default=False, verbose_name="created after the two-step login"),
        ),
        migrations.RunPython(mark_existing, migrations.RunPython.noop),
    ]
