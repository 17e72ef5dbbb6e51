"""Writing new members below the ORM: the rows the members services would write, in batches.

See ``members_import`` for the events a row implies. Ids are reserved up
front (``bulk.reserve_ids``) so events point at their member without reading
ids back. What repeats across rows is computed once: folded name words,
event JSON per (category, date), citizen ID and phone encrypted per batch
(``core.crypto.encrypt_many``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from types import SimpleNamespace as Before
from typing import Any

from chibo.core import bulk
from chibo.core.crypto import encrypt_many
from chibo.interchange.members_import import Context, MemberRow, status_values
from chibo.lib.text import fold
from chibo.members import lifecycle
from chibo.members.lifecycle import EventKind, Status
from chibo.members.models import Member, MemberEvent
from chibo.members.rows import EVENT_FIELDS, MEMBER_FIELDS

BATCH = 5000

# --- new members: rows below the ORM --------------------------------------------


class Folder:
    """``lib.text.fold`` of a name (already split on whitespace), word by word from a cache.

    Folding is per character and collapses whitespace, so folding the words
    and joining them with one space is the same (a word that folds to nothing,
    a lone combining mark, falls back to the whole name).
    """

    LIMIT = 50000  # distinct words kept: bounded memory for files of unique names

    def __init__(self) -> None:
        self.words: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        words = self.words
        if len(words) > self.LIMIT:
            words.clear()
        out = []
        for word in name.split(" "):
            folded = words.get(word)
            if folded is None:
                # ASCII has no marks and no đ: folding is lowercasing.
                folded = words[word] = word.lower() if word.isascii() else fold(word)
            if not folded:
                return fold(name)
            out.append(folded)
        return " ".join(out)


def _cached_json(cache: dict[Any, str], key: Any, data: Callable[[], dict[str, Any]]) -> str:
    out = cache.get(key)
    if out is None:
        out = cache[key] = json.dumps({**data(), "import": True}, ensure_ascii=False)
    return out


def _data(kind: str, before: Any, note: str = "", **values: Any) -> dict[str, Any]:
    """The event's data as ``lifecycle.record`` stores it (``before``: the member as it was)."""
    req = lifecycle.EventRequest(kind, dt.date.min, note=note, values=values)
    return lifecycle.SPECS[kind].event_data(before, req)


class _Rows:
    """Member and event tuples in ``members.rows`` order for the current database."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.adapt_date, self.now, self.adapt_json = bulk.adapters()
        self.actor_id = ctx.actor.pk if getattr(ctx.actor, "is_authenticated", False) else None
        self.fold = Folder()
        self.json: dict[Any, str] = {}

    def member(self, row: MemberRow, pk: int, citizen_id: str, phone: str) -> tuple:
        adapt_date, now = self.adapt_date, self.now
        folded = self.fold(row.full_name)
        admitted = adapt_date(row.admitted_on)
        status_on = adapt_date(row.status_on) if row.status_on else admitted
        return (
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
            citizen_id,
            phone,
            row.org.id,
            row.status,
            row.recognized_on is not None,
            admitted,
            row.adm_org.id,
            row.cat_adm,
            admitted,
            adapt_date(self.ctx.probation_end(row.admitted_on)),
            adapt_date(row.recognized_on),
            None,
            None,
            status_on,
            status_on,
            1,
            now,
            now,
        )

    def events(self, row: MemberRow, pk: int, out: list[tuple]) -> None:
        """The events the row implies (module docstring of ``members_import``)."""
        adapt_date, cache = self.adapt_date, self.json
        admitted = row.admitted_on
        day = adapt_date(admitted)
        base = (pk, self.now, self.actor_id)
        data = _cached_json(
            cache,
            ("admitted", row.cat_adm, admitted),
            # Members a file brings were admitted before chibo: flagged historical, like
            # members.services.member_record_past_admission (issue 20).
            lambda: _data(
                EventKind.ADMITTED,
                Before(category=row.cat_adm),
                ceremony_on=admitted,
                historical=True,
            ),
        )
        out.append(
            _event(base, EventKind.ADMITTED, day, row.adm_org.id, Status.ACTIVE, row.cat_adm, data)
        )
        if row.org.id != row.adm_org.id:
            data = _cached_json(
                cache,
                ("reassigned", row.adm_org.code),
                lambda: _data(EventKind.REASSIGNED, Before(org=row.adm_org)),
            )
            out.append(
                _event(
                    base, EventKind.REASSIGNED, day, row.org.id, Status.ACTIVE, row.cat_adm, data
                )
            )
        if row.category != row.cat_adm:
            data = _cached_json(
                cache,
                ("category", row.cat_adm, row.category),
                lambda: _data(
                    EventKind.CATEGORY_CHANGED, Before(category=row.cat_adm), category=row.category
                ),
            )
            out.append(
                _event(
                    base,
                    EventKind.CATEGORY_CHANGED,
                    day,
                    row.org.id,
                    Status.ACTIVE,
                    row.category,
                    data,
                )
            )
        if row.recognized_on is not None:
            recognized = row.recognized_on
            data = _cached_json(
                cache,
                ("recognized", recognized),
                lambda: _data(EventKind.RECOGNIZED, Before(), decided_on=recognized),
            )
            out.append(
                _event(
                    base,
                    EventKind.RECOGNIZED,
                    adapt_date(recognized),
                    row.org.id,
                    Status.ACTIVE,
                    row.category,
                    data,
                )
            )
        if row.status_on is not None:
            out.append(self.status_event(row, base))

    def status_event(self, row: MemberRow, base: tuple) -> tuple:
        """The status event (from active), with the note and inputs the services path gives it."""
        kind = lifecycle.import_kind(Status.ACTIVE, row.status)
        assert kind is not None
        note, values = status_values(kind, row)
        before = Before(category=row.category, org=row.org)
        return _event(
            base,
            kind,
            self.adapt_date(row.status_on),
            row.org.id,
            row.status,
            row.category,
            self.adapt_json({**_data(kind, before, note, **values), "import": True}),
            note=note,
            reason=values.get("reason", ""),
            decision=row.decision,
        )


def _event(
    base: tuple,
    kind: str,
    when: Any,
    org_id: int,
    status: str,
    category: str,
    data: str,
    note: str = "",
    reason: str = "",
    decision: str = "",
) -> tuple:
    pk, now, actor_id = base
    return (
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
        data,
        org_id,
        status,
        category,
    )


def new_member_rows(
    rows: list[MemberRow], ids: list[int], ctx: Context
) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """(member rows, event rows) in batches, exactly as the members services would write them."""
    build = _Rows(ctx)
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        citizen_ids = encrypt_many([row.citizen_id for row in chunk])  # encrypted at rest
        phones = encrypt_many([row.phone for row in chunk])
        members: list[tuple] = []
        events: list[tuple] = []
        for row, pk, citizen_id, phone in zip(
            chunk, ids[start : start + BATCH], citizen_ids, phones, strict=True
        ):
            members.append(build.member(row, pk, citizen_id, phone))
            build.events(row, pk, events)
        yield members, events


def insert_new(
    rows: list[MemberRow], ctx: Context, progress: Callable[[int], None] | None = None
) -> int:
    """Insert the new members and their events; returns the number of events."""
    bulk.prepare()
    ids = bulk.reserve_ids(Member, len(rows))
    count = 0
    done = 0
    with bulk.indexes_deferred([(Member, len(rows)), (MemberEvent, len(rows))]):
        for members, events in new_member_rows(rows, ids, ctx):
            bulk.insert(Member, MEMBER_FIELDS, members, binary=True)
            bulk.insert(MemberEvent, EVENT_FIELDS, events, binary=True)
            count += len(events)
            done += len(members)
            if progress:
                progress(done)
    return count
