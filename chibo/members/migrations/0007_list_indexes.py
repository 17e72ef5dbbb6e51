"""The member list's indexes (members.search) and no index that repeats another.

- ``member_name_idx`` (name, code, status, org) and ``member_given_idx`` (given, name, code,
  status, org) replace the single-column name and given-name indexes: a page in list order
  reads them alone.
- ``member_org_state_idx`` gains (name, code, given) after (org, status): a scope's name
  search seeks inside each org, from the index alone.
- Dropped, because another index starts with the same column: ``members_member.org_id``
  (``member_org_state_idx``), ``members_memberevent.member_id`` (``mevent_member_state_idx``).
  Dropped: ``members_member.status`` alone (every list or count of a status reads it with the
  org or the name; members in transit are found by their pending org) and, on PostgreSQL, the
  ``varchar_pattern_ops`` copies Django adds to indexed text columns (no LIKE on them: prefix
  searches are ranges in the "C" collation).
- Partial (``WHERE … IS NOT NULL``): the foreign keys that are empty for nearly every row,
  ``temp_host_org``, ``pending_org`` (members), ``issuing_org``, ``actor`` (events).

The single-column indexes are dropped by name, found by introspection: Django's AlterField
would rebuild the whole members table on SQLite for each of them.
"""

import chibo.core.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


DROPPED = {
    "members_member": {
        "name_folded",
        "given_folded",
        "org_id",
        "status",
        "temp_host_org_id",
        "pending_org_id",
        "member_code",  # PostgreSQL's varchar_pattern_ops copy only (the unique index stays)
    },
    "members_memberevent": {"member_id", "issuing_org_id", "actor_id"},
}


def drop_single_column_indexes(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, columns in DROPPED.items():
            for name, info in connection.introspection.get_constraints(cursor, table).items():
                if (
                    info["index"]
                    and not info["unique"]
                    and not info["primary_key"]
                    and info["columns"] is not None
                    and len(info["columns"]) == 1
                    and info["columns"][0] in columns
                    and not name.endswith("_idx")  # the named indexes of Meta.indexes
                ):
                    cursor.execute(f"DROP INDEX {quote(name)}")


def recreate_single_column_indexes(apps, schema_editor):
    """Backwards: the plain indexes Django made for these columns (without the pattern copies)."""
    for model_name, columns in (
        (
            "Member",
            ("name_folded", "given_folded", "org", "status", "temp_host_org", "pending_org"),
        ),
        ("MemberEvent", ("member", "issuing_org", "actor")),
    ):
        model = apps.get_model("members", model_name)
        for column in columns:
            field = model._meta.get_field(column)
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_field_aead"),
        ("orgs", "0002_org_abbreviation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="member",
                    name="given_folded",
                    field=chibo.core.fields.ByteOrderCharField(editable=False, max_length=40),
                ),
                migrations.AlterField(
                    model_name="member",
                    name="name_folded",
                    field=chibo.core.fields.ByteOrderCharField(editable=False, max_length=120),
                ),
                migrations.AlterField(
                    model_name="member",
                    name="org",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="members",
                        to="orgs.org",
                    ),
                ),
                migrations.AlterField(
                    model_name="member",
                    name="pending_org",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="incoming_members",
                        to="orgs.org",
                    ),
                ),
                migrations.AlterField(
                    model_name="member",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("active", "Active"),
                            ("exempted", "Exempted from activity"),
                            ("temp_away", "Temporarily transferred out"),
                            ("transferred_out", "Transferred out"),
                            ("removed", "Removed from the rolls"),
                            ("expelled", "Expelled"),
                            ("deceased", "Deceased"),
                        ],
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                migrations.AlterField(
                    model_name="member",
                    name="temp_host_org",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attached_members",
                        to="orgs.org",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="memberevent",
                    name="issuing_org",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberevent",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="members.member",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_single_column_indexes, recreate_single_column_indexes),
            ],
        ),
        migrations.RemoveIndex(
            model_name="member",
            name="member_org_state_idx",
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["org", "status", "name_folded", "member_code", "given_folded"],
                include=(
                    "last_event_on",
                    "admitted_on",
                    "recognized_on",
                    "category",
                    "gender",
                    "date_of_birth",
                    "id",
                ),
                name="member_org_state_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["name_folded", "member_code", "status", "org"], name="member_name_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["given_folded", "name_folded", "member_code", "status", "org"],
                name="member_given_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("temp_host_org__isnull", False)),
                fields=["temp_host_org"],
                name="member_temp_host_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("pending_org__isnull", False)),
                fields=["pending_org"],
                name="member_pending_org_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="memberevent",
            index=models.Index(
                condition=models.Q(("issuing_org__isnull", False)),
                fields=["issuing_org"],
                name="mevent_issuing_org_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="memberevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["actor"],
                name="mevent_actor_idx",
            ),
        ),
    ]
