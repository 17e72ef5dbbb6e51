"""Load a demo plan into the database fast: raw rows, explicit ids, one transaction.

SQLite gets ``executemany`` (≈10× faster than ``bulk_create``, shared/NOTES.md),
PostgreSQL gets ``COPY`` through psycopg 3. Ids are assigned by the generator,
so sequences are reset afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction

from chibo.core import audit, bulk
from chibo.core.crypto import encrypt_value
from chibo.members.demo import accounts
from chibo.members.demo.generate import (
    EVENT_ROW_FIELDS,
    ORG_EVENT_FIELDS,
    ORG_FIELDS,
    PERIOD_FIELDS,
    Plan,
)
from chibo.members.models import Member, MemberEvent
from chibo.members.rows import MEMBER_FIELDS
from chibo.orgs.models import Org, OrgEvent, OrgPeriod


class DemoRefused(Exception):
    """The database already holds data the demo would collide with."""


_SENSITIVE = [MEMBER_FIELDS.index("citizen_id"), MEMBER_FIELDS.index("phone")]


def _encrypted(rows: list[tuple]) -> list[tuple]:
    """Citizen ID and phone are stored encrypted (core.crypto), as the ORM would write them."""
    out = []
    for row in rows:
        values = list(row)
        for i in _SENSITIVE:
            values[i] = encrypt_value(values[i])
        out.append(tuple(values))
    return out


def check_empty() -> None:
    from django.contrib.auth.models import User

    if Org.objects.exists():
        raise DemoRefused(
            "Cơ sở dữ liệu đã có tổ chức đảng: không nạp dữ liệu demo chồng lên dữ liệu đang có. "
            "Hãy dùng một cơ sở dữ liệu trống (xóa tệp SQLite hoặc đặt DATABASE_URL khác)."
        )
    taken = list(
        User.objects.filter(username__in=accounts.USERNAMES).values_list("username", flat=True)
    )
    if taken:
        raise DemoRefused(f"Đã có tài khoản trùng tên tài khoản demo: {', '.join(sorted(taken))}.")


def write_plan(plan: Plan, *, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Insert the plan; returns counts. Raises DemoRefused if the database is not empty."""
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    counts = {"orgs": 0, "members": 0, "events": 0}
    with transaction.atomic():
        check_empty()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size=-262144")  # 256 MB: the indexes stay in memory
        orgs, periods, org_events = plan.org_rows()
        bulk.insert(Org, ORG_FIELDS, orgs)
        bulk.insert(OrgPeriod, PERIOD_FIELDS, periods)
        bulk.insert(OrgEvent, ORG_EVENT_FIELDS, org_events)
        counts["orgs"] = len(orgs)
        say(f"  {len(orgs):,} tổ chức đảng".replace(",", "."))
        for members, events in plan.people():
            bulk.insert(Member, MEMBER_FIELDS, _encrypted(members))
            bulk.insert(MemberEvent, EVENT_ROW_FIELDS, events)
            counts["members"] += len(members)
            counts["events"] += len(events)
            if counts["members"] % 100_000 < len(members):
                done = f"{counts['members']:,} đảng viên / {counts['events']:,} sự kiện".replace(
                    ",", "."
                )
                say(f"  {done} ({time.monotonic() - started:.0f} s)")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Org, OrgPeriod, OrgEvent, Member, MemberEvent]
            ):
                cursor.execute(sql)
        accounts.create_accounts({name: org.id for name, org in plan.tree.demo.items()})
        audit.record(
            actor=None,
            action="demo.seed",
            object_type="demo",
            object_id=plan.seed,
            data={**counts, "seed": plan.seed, "as_of": plan.as_of.isoformat()},
        )
    return {**counts, "seconds": round(time.monotonic() - started, 1)}
