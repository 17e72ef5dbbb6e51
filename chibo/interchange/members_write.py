"""Writing new members below the ORM: the rows the members services would write, in batches.

See ``members_import`` for the events a row implies. Ids are reserved up
front (``bulk.reserve_ids``) so events point at their member without reading
ids back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from chibo.core.crypto import encrypt_value
from chibo.interchange import bulk
from chibo.interchange.members_import import STATUS_EVENT, Context, MemberRow
from chibo.lib.text import fold
from chibo.members.models import EventKind, Member, MemberEvent, Status
from chibo.members.rows import EVENT_FIELDS, MEMBER_FIELDS

BATCH = 5000

# --- new members: rows below the ORM --------------------------------------------


def new_member_rows(
    rows: list[MemberRow], ids: list[int], ctx: Context
) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """(member rows, event rows) in batches, exactly as the members services would write them."""
    adapt_date, now, adapt_json = bulk.adapters()
    actor_id = ctx.actor.pk if getattr(ctx.actor, "is_authenticated", False) else None
    members: list[tuple] = []
    events: list[tuple] = []
    for row, pk in zip(rows, ids, strict=True):
        folded = fold(row.full_name)
        admitted = row.admitted_on
        probation_ends = ctx.probation_end(admitted)
        status_on = row.status_on
        members.append(
            (
                pk,
                row.code,
                row.full_name,
                folded,
                folded.rsplit(" ", 1)[-1] if folded else "",
                adapt_date(row.dob),
                row.gender,
                row.ethnicity,
                row.category,
                adapt_date(row.graduation),
                row.card,
                encrypt_value(row.citizen_id),  # encrypted at rest (core.crypto)
                encrypt_value(row.phone),
                row.org.id,
                row.status,
                row.recognized_on is not None,
                adapt_date(admitted),
                row.adm_org.id,
                row.cat_adm,
                adapt_date(admitted),
                adapt_date(probation_ends),
                adapt_date(row.recognized_on),
                None,
                None,
                adapt_date(status_on or admitted),
                adapt_date(status_on or admitted),
                1,
                now,
                now,
            )
        )
        day = adapt_date(admitted)

        def event(
            kind: str,
            when: Any,
            org_id: int,
            status: str,
            category: str,
            data: dict[str, Any],
            note: str = "",
            reason: str = "",
            decision: str = "",
            pk: int = pk,
            out: list[tuple] = events,
        ) -> None:
            out.append(
                (
                    pk,
                    kind,
                    when,
                    now,
                    decision,
                    None,
                    "",
                    actor_id,
                    note,
                    reason,
                    adapt_json({**data, "import": True}),
                    org_id,
                    status,
                    category,
                )
            )

        event(
            EventKind.ADMITTED,
            day,
            row.adm_org.id,
            Status.ACTIVE,
            row.cat_adm,
            {"category_at_admission": row.cat_adm, "ceremony_on": admitted.isoformat()},
        )
        if row.org.id != row.adm_org.id:
            event(
                EventKind.REASSIGNED,
                day,
                row.org.id,
                Status.ACTIVE,
                row.cat_adm,
                {"from_org": row.adm_org.code},
            )
        if row.category != row.cat_adm:
            event(
                EventKind.CATEGORY_CHANGED,
                day,
                row.org.id,
                Status.ACTIVE,
                row.category,
                {"from": row.cat_adm, "to": row.category},
            )
        if row.recognized_on is not None:
            event(
                EventKind.RECOGNIZED,
                adapt_date(row.recognized_on),
                row.org.id,
                Status.ACTIVE,
                row.category,
                {"decided_on": row.recognized_on.isoformat()},
            )
        if status_on is not None:
            kind = STATUS_EVENT[row.status]
            data: dict[str, Any] = {}
            if kind == EventKind.TRANSFER_OUT:
                data = {"destination_org": None, "destination": row.note}
            elif kind == EventKind.TEMP_OUT:
                data = {"host_org": None, "host": row.note, "until": None}
            event(
                kind,
                adapt_date(status_on),
                row.org.id,
                row.status,
                row.category,
                data,
                note="" if kind in (EventKind.TRANSFER_OUT, EventKind.TEMP_OUT) else row.note,
                reason=row.reason,
                decision=row.decision,
            )
        if len(members) >= BATCH:
            yield members, events
            members, events = [], []
    if members:
        yield members, events


def insert_new(
    rows: list[MemberRow], ctx: Context, progress: Callable[[int], None] | None = None
) -> int:
    """Insert the new members and their events; returns the number of events."""
    bulk.prepare()
    ids = bulk.reserve_ids(Member, len(rows))
    count = 0
    done = 0
    for members, events in new_member_rows(rows, ids, ctx):
        bulk.insert(Member, MEMBER_FIELDS, members)
        bulk.insert(MemberEvent, EVENT_FIELDS, events)
        count += len(events)
        done += len(members)
        if progress:
            progress(done)
    return count
