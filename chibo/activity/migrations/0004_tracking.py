"""Tracking starts (issue 17): each org's earliest meeting and dues payment, read from the data there is.

The committee's dates start empty; an org with no record gets no row (it is not tracked).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    Meeting = apps.get_model("activity", "Meeting")
    DuesPayment = apps.get_model("activity", "DuesPayment")
    Tracking = apps.get_model("activity", "Tracking")
    firsts = {}
    for org_id, day in Meeting.objects.values_list("org_id").annotate(d=models.Min("held_on")).order_by():
        firsts.setdefault(org_id, [None, None])[0] = day
    for org_id, day in DuesPayment.objects.values_list("org_id").annotate(d=models.Min("paid_on")).order_by():
        firsts.setdefault(org_id, [None, None])[1] = day
    rows = []
    for org_id, (meeting, payment) in firsts.items():
        start = min(d for d in (meeting, payment) if d is not None)
        rows.append(
            Tracking(
                org_id=org_id,
                first_meeting_on=meeting,
                first_payment_on=payment,
                start=start,
                month=start.replace(day=1),
                month_number=start.year * 12 + start.month - 1,
            )
        )
    Tracking.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('activity', '0003_health_indexes'),
        ('orgs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Tracking',
            fields=[
                ('org', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='activity_tracking', serialize=False, to='orgs.org')),
                ('set_on', models.DateField(blank=True, null=True, verbose_name='tracked from')),
                ('note', models.CharField(blank=True, max_length=255, verbose_name='note')),
                ('set_at', models.DateTimeField(blank=True, null=True)),
                ('first_meeting_on', models.DateField(blank=True, null=True)),
                ('first_payment_on', models.DateField(blank=True, null=True)),
                ('start', models.DateField(blank=True, null=True)),
                ('month', models.DateField(blank=True, null=True)),
                ('month_number', models.IntegerField(blank=True, null=True)),
                ('set_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'activity tracking start',
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
