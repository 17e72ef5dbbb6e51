"""The whole demo data set as rows, from (members, seed, as_of) alone.

Same arguments, same rows: one ``random.Random`` for the tree and one for
the people, consumed in a fixed order. Rows come in chunks so 400,000
members never sit in memory at once.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

from chibo.lib.text import fold
from chibo.members.demo.lifecycle import LifeMaker
from chibo.members.demo.orgtree import Tree
from chibo.members.demo.people import ORGS_OPENED, PHONE_PREFIXES
from chibo.members.demo.sectors import build_tree
from chibo.members.rows import EVENT_FIELDS

EVENT_ROW_FIELDS = ("id", *EVENT_FIELDS)  # the demo numbers its own events
ORG_FIELDS = [
    "id",
    "code",
    "name",
    "name_folded",
    "kind",
    "parent",
    "path",
    "depth",
    "school_level",
    "ownership",
    "opened_on",
    "closed_on",
    "merged_into",
    "abbreviation",
]
PERIOD_FIELDS = ["id", "org", "parent", "name", "valid_from", "valid_to"]
ORG_EVENT_FIELDS = [
    "id",
    "org",
    "kind",
    "effective_date",
    "recorded_at",
    "decision_number",
    "actor",
    "data",
    "note",
]
CHUNK = 20_000


class Dates:
    """Day ordinal → ISO text, cached (a few thousand distinct days)."""

    def __init__(self) -> None:
        self.cache: dict[int, str] = {}

    def day(self, ordinal: int | None) -> str | None:
        if ordinal is None:
            return None
        text = self.cache.get(ordinal)
        if text is None:
            text = self.cache[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text

    def stamp(self, ordinal: int, seconds: int) -> str:
        """UTC timestamp text (08:00–17:00 in Ho Chi Minh City)."""
        hours, rest = divmod(seconds, 3600)
        return f"{self.day(ordinal)} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


@dataclass
class Plan:
    members: int
    seed: int
    as_of: dt.date
    tree: Tree

    def org_rows(self) -> tuple[list[tuple], list[tuple], list[tuple]]:
        """Orgs as they stand at the end, and their dated history: periods and events
        (created; moved, renamed and closed in the 2025 reform)."""
        opened = ORGS_OPENED.isoformat()
        stamp = f"{opened} 02:00:00"
        orgs: list[tuple] = []
        periods: list[tuple] = []
        events: list[tuple] = []
        extra = len(self.tree.orgs)  # ids of the second periods and events
        for org in self.tree.orgs:
            parent = org.parent.id if org.parent else None
            closed = org.closed_on.isoformat() if org.closed_on else None
            orgs.append(
                (
                    org.id,
                    org.code,
                    org.name,
                    fold(org.name),
                    org.kind,
                    parent,
                    org.path,
                    org.depth,
                    org.school_level,
                    org.ownership,
                    opened,
                    closed,
                    None,
                    org.suffix,
                )
            )
            first_parent = org.old_parent if org.moved_on else org.parent
            data = json.dumps({"parent": first_parent.code if first_parent else None})
            events.append((org.id, org.id, "created", opened, stamp, "", None, data, ""))
            if org.moved_on is None:
                periods.append((org.id, org.id, parent, org.name, opened, closed))
                if org.closed_on is not None:
                    extra += 1
                    events.append(
                        (
                            extra,
                            org.id,
                            "closed",
                            closed,
                            f"{closed} 02:00:00",
                            "",
                            None,
                            "{}",
                            "Kết thúc hoạt động của đảng bộ cấp huyện (QĐ 294-QĐ/TW); "
                            "ngày hoạt động cuối cùng 30/06/2025.",
                        )
                    )
                continue
            day = org.moved_on.isoformat()
            old, new = org.old_parent, org.parent
            assert old is not None and new is not None  # the reform moved it from one to the other
            periods.append((org.id, org.id, old.id, org.old_name or org.name, opened, day))
            extra += 1
            periods.append((extra, org.id, parent, org.name, day, None))
            note = "Sắp xếp tổ chức đảng khi kết thúc hoạt động cấp huyện (QĐ 294-QĐ/TW)."
            moved = json.dumps({"from": old.code, "to": new.code})
            events.append((extra, org.id, "moved", day, f"{day} 02:00:00", "", None, moved, note))
            if org.old_name:
                extra += 1
                renamed = json.dumps({"from": org.old_name, "to": org.name}, ensure_ascii=False)
                events.append(
                    (extra, org.id, "renamed", day, f"{day} 02:00:00", "", None, renamed, "")
                )
        return orgs, periods, events

    def people(self) -> Iterator[tuple[list[tuple], list[tuple]]]:
        """(member rows, event rows) in chunks, in MEMBER_FIELDS / EVENT_ROW_FIELDS order."""
        rng = random.Random(self.seed * 1_000_003 + 7)
        maker = LifeMaker(self.tree, rng, self.as_of)
        dates = Dates()
        day, stamp, names = dates.day, dates.stamp, maker.names
        members: list[tuple] = []
        events: list[tuple] = []
        index = 0
        event_id = 0
        for cell in self.tree.cells:
            for position in range(cell.size):
                index += 1
                m, log = maker.member(index, cell, position)
                words = m["words"]
                folded, given = names.fold_words(words)
                dob = dt.date.fromordinal(m["dob"])
                century = (0 if dob.year < 2000 else 2) + (m["gender"] == "female")
                citizen_id = f"079{century}{dob.year % 100:02d}{(index * 7919 + 3) % 10**6:06d}"
                phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**7):07d}"
                card = f"79{(index * 3_400_007 + 12_345) % 10**7:07d}" if m["full"] else ""
                first, final = log[0], log[-1]
                created = stamp(first[11], first[12])
                updated = stamp(max(e[11] for e in log), final[12])
                members.append(
                    (
                        index,
                        f"DV{(index * 48_271 + 10_000_019) % 10**8:08d}",
                        " ".join(words),
                        folded,
                        given,
                        day(m["dob"]),
                        m["gender"],
                        m["ethnicity"],
                        m["category"],
                        day(m["grad"]),
                        card,
                        citizen_id,
                        phone,
                        m["org"],
                        m["status"],
                        m["full"],
                        day(m["admitted"]),
                        m["admitting_org"],
                        m["category_at_admission"],
                        day(m["ceremony"]),
                        day(m["probation_end"]),
                        day(m["recognized"]),
                        None,
                        m["pending_org"],
                        day(m["status_changed"]),
                        day(m["last_event"]),
                        1,
                        created,
                        updated,
                    )
                )
                for (
                    kind,
                    eff,
                    dec,
                    issuer,
                    reason,
                    data,
                    org,
                    status,
                    _full,  # standing on a date is recognized_on <= date, not stored per event
                    cat,
                    note,
                    rec,
                    secs,
                ) in log:
                    event_id += 1
                    events.append(
                        (
                            event_id,
                            index,
                            kind,
                            day(eff),
                            stamp(rec, secs),
                            dec,
                            issuer,
                            "",
                            None,
                            note,
                            reason,
                            data,
                            org,
                            status,
                            cat,
                        )
                    )
                if len(members) >= CHUNK:
                    yield members, events
                    members, events = [], []
        if members:
            yield members, events


def build_plan(*, members: int, seed: int, as_of: dt.date) -> Plan:
    """The demo data set for ``members`` members (≥ 100), reproducible from ``seed``."""
    if members < 100:
        raise ValueError("at least 100 members")
    tree = build_tree(members, random.Random(seed), as_of)
    return Plan(members=members, seed=seed, as_of=as_of, tree=tree)
