"""Writing new members below the ORM: the rows the members services would write, in batches.

See ``members_import`` for the events a row implies. Ids are reserved up
front (``bulk.reserve_ids``) so events point at their member without reading
ids back. What repeats across rows is computed once: folded name words,
event JSON per (category, date), citizen ID and phone encrypted per batch
(``core.crypto.encrypt_many``).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable, Iterator
from types import SimpleNamespace as Before
from typing import Any

from django.db import connection

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
        self.names: dict[str, str] = {}  # whole names: a file repeats many

    def __call__(self, name: str) -> str:
        out = self.names.get(name)
        if out is None:
            if len(self.names) > self.LIMIT:
                self.names.clear()
            out = self.names[name] = self._fold(name)
        return out

    def _fold(self, name: str) -> str:
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


def _json(data: dict[str, Any]) -> str:
    return json.dumps({**data, "import": True}, ensure_ascii=False)


# A day no event has: the data of an event kind is built once with it and the event's
# own date put in its place (checked against the direct build on first use).
_PLACEHOLDER = dt.date(1, 1, 1)
_PLACEHOLDER_ISO = _PLACEHOLDER.isoformat()


class _DatedJson:
    """The JSON data of events that differ by one date only: per (shape, date), cached."""

    def __init__(self) -> None:
        self.done: dict[tuple[Any, dt.date], str] = {}
        self.templates: dict[Any, str | None] = {}

    def __call__(
        self, shape: Any, day: dt.date, data: Callable[..., dict[str, Any]], *args: Any
    ) -> str:
        key = (shape, day)
        out = self.done.get(key)
        if out is not None:
            return out
        if shape not in self.templates:
            template = _json(data(_PLACEHOLDER, *args))
            direct = _json(data(day, *args))
            usable = template.count(_PLACEHOLDER_ISO) == 1
            if usable and template.replace(_PLACEHOLDER_ISO, day.isoformat()) != direct:
                usable = False
            self.templates[shape] = template if usable else None
            out = direct
        else:
            shaped = self.templates[shape]
            if shaped is not None:
                out = shaped.replace(_PLACEHOLDER_ISO, day.isoformat())
            else:
                out = _json(data(day, *args))
        self.done[key] = out
        return out


def _data(kind: str, before: Any, note: str = "", **values: Any) -> dict[str, Any]:
    """The event's data as ``lifecycle.record`` stores it (``before``: the member as it was)."""
    req = lifecycle.EventRequest(kind, dt.date.min, note=note, values=values)
    return lifecycle.SPECS[kind].event_data(before, req)


class _Adapted(dict):
    """value → its database form (``bulk.adapters``' date adapter), computed once per value."""

    def __init__(self, adapt: Callable[[Any], Any]) -> None:
        super().__init__()
        self.adapt = adapt

    def __missing__(self, value: Any) -> Any:
        out = self[value] = self.adapt(value)
        return out


class _Probation(dict):
    """admission date → the database form of the day its probation ends."""

    def __init__(self, ctx: Context, days: _Adapted) -> None:
        super().__init__()
        self.ctx, self.days = ctx, days

    def __missing__(self, admitted: dt.date) -> Any:
        out = self[admitted] = self.days[self.ctx.probation_end(admitted)]
        return out


_ADMITTED = EventKind.ADMITTED.value
_REASSIGNED = EventKind.REASSIGNED.value
_CATEGORY_CHANGED = EventKind.CATEGORY_CHANGED.value
_RECOGNIZED = EventKind.RECOGNIZED.value
_ACTIVE = Status.ACTIVE.value


def _admitted_data(on: dt.date, category: str) -> dict[str, Any]:
    # Members a file brings were admitted before chibo: flagged historical, like
    # members.services.member_record_past_admission (issue 20).
    return _data(EventKind.ADMITTED, Before(category=category), ceremony_on=on, historical=True)


def _recognized_data(on: dt.date) -> dict[str, Any]:
    return _data(EventKind.RECOGNIZED, Before(), decided_on=on)


class _Rows:
    """Member and event tuples in ``members.rows`` order for the current database.

    Per row only what differs: dates, the folded name and the events' JSON come from
    caches (a file repeats a few thousand dates and a few shapes of event data).
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.adapt_date, self.now, self.adapt_json = bulk.adapters()
        self.days = _Adapted(self.adapt_date)
        # Choices as the plain strings they are stored as, and SQLite's booleans as its
        # integers: the driver binds exact str and int without looking for an adapter.
        self.plain = _Adapted(lambda v: v.value if isinstance(v, enum.Enum) else v)
        sqlite = connection.vendor == "sqlite"
        self.full, self.not_full = (1, 0) if sqlite else (True, False)
        self.probation = _Probation(ctx, self.days)
        self.actor_id = ctx.actor.pk if getattr(ctx.actor, "is_authenticated", False) else None
        self.fold = Folder()
        self.json: dict[Any, str] = {}
        self.dated = _DatedJson()

    def member(self, row: MemberRow, pk: int, citizen_id: str, phone: str) -> tuple:
        days, now, plain = self.days, self.now, self.plain
        folded = self.fold(row.full_name)
        admitted = days[row.admitted_on]
        status_on = days[row.status_on] if row.status_on else admitted
        return (
            pk,
            row.code,
            row.full_name,
            folded,
            folded.rsplit(" ", 1)[-1] if folded else "",
            days[row.dob],
            plain[row.gender],
            row.ethnicity,
            plain[row.category],
            days[row.graduation],
            row.card,
            citizen_id,
            phone,
            row.org.id,
            plain[row.status],
            self.full if row.recognized_on is not None else self.not_full,
            admitted,
            row.adm_org.id,
            plain[row.cat_adm],
            admitted,
            self.probation[row.admitted_on],
            days[row.recognized_on],
            None,
            None,
            status_on,
            status_on,
            1,
            now,
            now,
        )

    def events(self, row: MemberRow, pk: int, out: list[tuple]) -> None:
        """The events the row implies (module docstring of ``members_import``), in
        ``_event``'s shape (written out: this runs for every event of a file)."""
        cache, now, actor = self.json, self.now, self.actor_id
        admitted = row.admitted_on
        day = self.days[admitted]
        cat_adm, category = self.plain[row.cat_adm], self.plain[row.category]
        org_id, adm_id = row.org.id, row.adm_org.id
        data = self.dated(("admitted", cat_adm), admitted, _admitted_data, cat_adm)
        out.append(
            (pk, _ADMITTED, day, now, "", None, "", actor, "", "", data, adm_id, _ACTIVE, cat_adm)
        )
        if org_id != adm_id:
            key: tuple = ("reassigned", row.adm_org.code)
            data = cache.get(key) or cache.setdefault(
                key, _json(_data(EventKind.REASSIGNED, Before(org=row.adm_org)))
            )
            out.append(
                (
                    pk,
                    _REASSIGNED,
                    day,
                    now,
                    "",
                    None,
                    "",
                    actor,
                    "",
                    "",
                    data,
                    org_id,
                    _ACTIVE,
                    cat_adm,
                )
            )
        if category != cat_adm:
            key = ("category", cat_adm, category)
            data = cache.get(key) or cache.setdefault(
                key,
                _json(
                    _data(EventKind.CATEGORY_CHANGED, Before(category=cat_adm), category=category)
                ),
            )
            out.append(
                (
                    pk,
                    _CATEGORY_CHANGED,
                    day,
                    now,
                    "",
                    None,
                    "",
                    actor,
                    "",
                    "",
                    data,
                    org_id,
                    _ACTIVE,
                    category,
                )
            )
        recognized = row.recognized_on
        if recognized is not None:
            data = self.dated("recognized", recognized, _recognized_data)
            out.append(
                (
                    pk,
                    _RECOGNIZED,
                    self.days[recognized],
                    now,
                    "",
                    None,
                    "",
                    actor,
                    "",
                    "",
                    data,
                    org_id,
                    _ACTIVE,
                    category,
                )
            )
        if row.status_on is not None:
            out.append(self.status_event(row, (pk, now, actor)))

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
