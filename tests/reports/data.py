"""Fast test data for reports: admissions inserted in bulk with raw SQL (test data, not a service path)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

from django.db import connection
from django.utils import timezone

from chibo.lib.text import fold
from chibo.members.models import EventKind, Member, Status
from chibo.orgs.models import Org

_codes = itertools.count(1)

MEMBER_COLS = (
    "member_code",
    "full_name",
    "name_folded",
    "given_folded",
    "date_of_birth",
    "gender",
    "ethnicity",
    "category",
    "party_card_number",
    "citizen_id",
    "phone",
    "org_id",
    "status",
    "is_full",
    "admitted_on",
    "admitting_org_id",
    "category_at_admission",
    "ceremony_on",
    "probation_ends_on",
    "status_changed_on",
    "last_event_on",
    "version",
    "created_at",
    "updated_at",
)
EVENT_COLS = (
    "member_id",
    "kind",
    "effective_date",
    "recorded_at",
    "decision_number",
    "issuing_body",
    "note",
    "reason",
    "data",
    "org_id",
    "status_after",
    "category_after",
)


def _insert(table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"  # noqa: S608
    with connection.cursor() as cur:
        cur.executemany(sql, rows)


def admissions(
    org: Org,
    n: int,
    category: str,
    days: list[dt.date],
    *,
    gender: str = "male",
    born: dt.date | None = None,
) -> list[int]:
    """``n`` members admitted by ``org`` as ``category``, spread over ``days``; returns member ids."""
    now = timezone.now()
    rows, codes = [], []
    for i in range(n):
        day = days[i % len(days)]
        code = f"RP{next(_codes):08d}"
        codes.append(code)
        name = f"Đảng viên {code}"
        rows.append(
            (
                code,
                name,
                fold(name),
                fold(code),
                born or dt.date(day.year - 20, 1, 1),
                gender,
                "Kinh",
                category,
                "",
                "",
                "",
                org.pk,
                Status.ACTIVE,
                False,
                day,
                org.pk,
                category,
                day,
                day + dt.timedelta(days=365),
                day,
                day,
                1,
                now,
                now,
            )
        )
    _insert("members_member", MEMBER_COLS, rows)
    created = []
    for chunk in range(0, len(codes), 500):
        created += list(
            Member.objects.filter(member_code__in=codes[chunk : chunk + 500]).values_list(
                "id", "admitted_on"
            )
        )
    payload = json.dumps({"category_at_admission": category})
    _insert(
        "members_memberevent",
        EVENT_COLS,
        [
            (
                mid,
                EventKind.ADMITTED,
                day,
                now,
                "",
                "",
                "",
                "",
                payload,
                org.pk,
                Status.ACTIVE,
                category,
            )
            for mid, day in created
        ],
    )
    return [mid for mid, _day in created]
