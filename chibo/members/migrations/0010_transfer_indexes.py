# The transfers page at city scope (issue 24): a kind's events of a period with their org,
# an org's events of a kind and period (the org's foreign key index, widened: the plain one
# is dropped), students by graduation date.

import django.db.models.deletion
from django.db import migrations, models

ORG_INDEX = "members_memberevent_org_id_cb74f324"  # the foreign key's own index (0001)


def _org_indexes(schema_editor, model):
    """The names of the plain indexes on the events' org column alone (the foreign key's)."""
    with schema_editor.connection.cursor() as cursor:
        found = schema_editor.connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [
        name
        for name, info in found.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and info["columns"] == ["org_id"]
    ]


def drop_org_index(apps, schema_editor):
    """Drop the events' foreign key index on org (``mevent_org_kind_date_idx`` leads with
    org), without the table rebuild SQLite makes for an altered field."""
    model = apps.get_model("members", "MemberEvent")
    for name in _org_indexes(schema_editor, model):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore_org_index(apps, schema_editor):
    model = apps.get_model("members", "MemberEvent")
    if not _org_indexes(schema_editor, model):
        schema_editor.add_index(model, models.Index(fields=["org"], name=ORG_INDEX))


def analyze(apps, schema_editor):
    """SQLite plans by the statistics of ``ANALYZE`` when a database has them: a new index
    without its row would be guessed at. Counted again for the two tables (under a second
    at 400k members); nothing to do on PostgreSQL (statistics are per column)."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return
        cursor.execute("ANALYZE members_memberevent")
        cursor.execute("ANALYZE members_member")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_late_transfer_decision"),
        ("orgs", "0002_org_abbreviation"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="memberevent",
            name="mevent_kind_date_idx",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="memberevent",
                    name="org",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="member_events",
                        to="orgs.org",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_org_index, restore_org_index),
            ],
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("expected_graduation__isnull", False)),
                fields=["category", "expected_graduation"],
                name="member_graduation_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="memberevent",
            index=models.Index(
                fields=["kind", "effective_date", "org"], name="mevent_kind_date_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="memberevent",
            index=models.Index(
                fields=["org", "kind", "effective_date"], name="mevent_org_kind_date_idx"
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
