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
from chibo.interchange.members_import import FIELDS, Context, MemberRow, status_values
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

    def batch(
        self, chunk: list[tuple], ids: list[int], citizen_ids: list[str], phones: list[str]
    ) -> tuple[list[tuple], list[tuple]]:
        """The member and event tuples of rows given as their MemberRow's values
        (``members_import.as_values``), in one loop over local names: this runs for every
        row of a file. The events are those the row implies (module docstring of
        ``members_import``), in ``_event``'s shape."""
        days, now, plain, fold = self.days, self.now, self.plain, self.fold
        probation, dated, cache, actor = self.probation, self.dated, self.json, self.actor_id
        full, not_full = self.full, self.not_full
        members: list[tuple] = []
        events: list[tuple] = []
        add_member, add_event = members.append, events.append
        for values, pk, citizen_id, phone in zip(chunk, ids, citizen_ids, phones, strict=True):
            (
                _number,
                code,
                full_name,
                dob,
                gender,
                ethnicity,
                org,
                category,
                admitted_on,
                adm_org,
                _adm_org_given,
                cat_adm,
                _cat_adm_given,
                recognized_on,
                card,
                _citizen_id,
                _phone,
                status,
                status_on,
                _reason,
                _note,
                graduation,
                _decision,
            ) = values
            base = (pk, now, actor)
            folded = fold(full_name)
            admitted = days[admitted_on]
            changed_on = days[status_on] if status_on else admitted
            org_id, adm_id = org.id, adm_org.id
            cat_adm, category = plain[cat_adm], plain[category]
            add_member(
                (
                    pk,
                    code,
                    full_name,
                    folded,
                    folded.rsplit(" ", 1)[-1] if folded else "",
                    days[dob],
                    plain[gender],
                    ethnicity,
                    category,
                    days[graduation],
                    card,
                    citizen_id,
                    phone,
                    org_id,
                    plain[status],
                    full if recognized_on is not None else not_full,
                    admitted,
                    adm_id,
                    cat_adm,
                    admitted,
                    probation[admitted_on],
                    days[recognized_on],
                    None,
                    None,
                    changed_on,
                    changed_on,
                    1,
                    now,
                    now,
                )
            )
            data = dated(("admitted", cat_adm), admitted_on, _admitted_data, cat_adm)
            add_event(_event(base, _ADMITTED, admitted, adm_id, _ACTIVE, cat_adm, data))
            if org_id != adm_id:
                key: tuple = ("reassigned", adm_org.code)
                data = cache.get(key) or cache.setdefault(
                    key, _json(_data(EventKind.REASSIGNED, Before(org=adm_org)))
                )
                add_event(_event(base, _REASSIGNED, admitted, org_id, _ACTIVE, cat_adm, data))
            if category != cat_adm:
                key = ("category", cat_adm, category)
                data = cache.get(key) or cache.setdefault(
                    key,
                    _json(
                        _data(
                            EventKind.CATEGORY_CHANGED, Before(category=cat_adm), category=category
                        )
                    ),
                )
                add_event(
                    _event(base, _CATEGORY_CHANGED, admitted, org_id, _ACTIVE, category, data)
                )
            if recognized_on is not None:
                data = dated("recognized", recognized_on, _recognized_data)
                add_event(
                    _event(base, _RECOGNIZED, days[recognized_on], org_id, _ACTIVE, category, data)
                )
            if status_on is not None:
                add_event(self.status_event(MemberRow(*values), base))
        return members, events

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
    rows: list[tuple], ids: list[int], ctx: Context
) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """(member rows, event rows) in batches, exactly as the members services would write them;
    ``rows``: the new members' MemberRow values (``members_import.as_values``)."""
    build = _Rows(ctx)
    citizen_id, phone = FIELDS.index("citizen_id"), FIELDS.index("phone")
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        citizen_ids = encrypt_many([values[citizen_id] for values in chunk])  # encrypted at rest
        phones = encrypt_many([values[phone] for values in chunk])
        yield build.batch(chunk, ids[start : start + BATCH], citizen_ids, phones)


def insert_new(
    rows: list[tuple], ctx: Context, progress: Callable[[int], None] | None = None
) -> int:
    """Insert the new members and their events; returns the number of events."""
    bulk.prepare()
    with bulk.indexes_deferred([(Member, len(rows)), (MemberEvent, len(rows))]):
        # After the indexes go: a transaction that holds the table alone takes its ids in
        # one block (``bulk.reserve_ids``).
        ids = bulk.reserve_ids(Member, len(rows))
        # PostgreSQL: a worker thread COPYs a batch's members and events while the next
        # batch is encrypted and built (``bulk.insert_batches``); SQLite: in turn.
        done = 0

        def batches() -> Iterator[tuple[list[tuple], list[tuple]]]:
            nonlocal done
            for members, events in new_member_rows(rows, ids, ctx):
                yield members, events
                done += len(members)
                if progress:
                    progress(done)

        return bulk.insert_batches(
            [(Member, MEMBER_FIELDS), (MemberEvent, EVENT_FIELDS)], batches()
        )[1]
