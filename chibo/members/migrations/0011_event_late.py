# Late official transfers (issue 24): a column beside the events' JSON ``data.late`` and a
# partial index of the late ones, so that the transfers page of a city reads a handful of
# rows instead of every transfer's JSON (56,520 at 400,000 members).
#
# The column is added by ALTER TABLE on both databases: on SQLite, Django adds a NOT NULL
# column by rebuilding the table, which would drop the tally triggers on it (reports/0002)
# and copy 940,000 rows at 400,000 members.

from django.db import migrations, models

ADD = {
    "postgresql": 'ALTER TABLE "members_memberevent" ADD COLUMN "late" boolean DEFAULT false NOT NULL',
    "sqlite": 'ALTER TABLE "members_memberevent" ADD COLUMN "late" bool DEFAULT 0 NOT NULL',
}
DROP = 'ALTER TABLE "members_memberevent" DROP COLUMN "late"'
BACKFILL = {
    "postgresql": (
        "UPDATE members_memberevent SET late = TRUE"
        " WHERE kind = 'transfer_out' AND (data -> 'late') = 'true'::jsonb"
    ),
    "sqlite": (
        "UPDATE members_memberevent SET late = 1"
        " WHERE kind = 'transfer_out' AND json_type(data, '$.late') = 'true'"
    ),
}


def add_column(apps, schema_editor):
    """The column with its database default (what ``db_default=False`` declares): a
    constant default adds it without rewriting the table on PostgreSQL 11+."""
    schema_editor.execute(ADD[schema_editor.connection.vendor])


def drop_column(apps, schema_editor):
    schema_editor.execute(DROP)


def backfill(apps, schema_editor):
    """The late transfers already recorded (their JSON says so)."""
    schema_editor.execute(BACKFILL[schema_editor.connection.vendor])


def analyze(apps, schema_editor):
    """Statistics for the new column and index: without them PostgreSQL guesses half the
    events late (the late transfers of a city: 500 ms instead of 1 ms at 400,000 members);
    SQLite plans by ``ANALYZE``'s statistics when a database has them (members/0010)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return
        cursor.execute("ANALYZE members_memberevent")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0010_transfer_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="memberevent",
                    name="late",
                    field=models.BooleanField(db_default=False, default=False),
                ),
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="memberevent",
            index=models.Index(
                condition=models.Q(("late", True)),
                fields=["org", "effective_date"],
                name="mevent_late_idx",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
