"""One member's event log, simulated over time.

Every event stores the state *after* it (org, status, category), the way
``members.services`` writes them; the member's derived fields are taken from
the log exactly as ``services.replay`` recomputes them. Dates are day
ordinals until the writer formats them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
from typing import Any

from chibo.lib.dates import add_months
from chibo.members.demo import places
from chibo.members.demo.orgtree import OrgSpec
from chibo.members.demo.people import (
    BIG,
    FEMALE,
    GROUP,
    ON_ROLLS,
    RATES_OTHER,
    RATES_STUDENT,
    RATES_WORKING,
    REMOVAL,
    WORKING,
    YEAR,
    Admissions,
    death_rate,
)


class LifeMaker(Admissions):
    def member(
        self, index: int, cell: OrgSpec, position: int
    ) -> tuple[dict[str, Any], list[tuple]]:
        rng, last = self.rng, self.last
        category = self.category_for(cell, position)
        admitted, dob, grad = self.admission(cell, category)
        forced = self.forced.get((cell.id, position))
        keep = forced is not None and category == "student"
        if keep:  # the demo cell's named students are current students on its rolls
            admitted = last - rng.randint(60, 700)
            dob = admitted - int(rng.uniform(19.5, 21.5) * YEAR)
            grad = dt.date(dt.date.fromordinal(last).year + 2, 6, 15).toordinal()
        if forced:
            words, gender = forced
            ethnicity = "Kinh"
        else:
            female = 0.58 if category == "student" else FEMALE[cell.school_level]
            gender = "female" if rng.random() < female else "male"
            ethnicity = self.ethnicity.pick(rng)
            words = self.names.make(rng, gender, dt.date.fromordinal(dob).year, ethnicity)

        events: list[tuple] = []
        org, status, full, cur_cat = cell, "active", False, category
        status_changed = admitted
        last_ordinary = admitted
        transit: OrgSpec | None = None
        sched: list[tuple[int, int, str, Any]] = []
        seq = 0

        def emit(
            kind: str,
            t: int,
            issuer: OrgSpec | None,
            dec: str = "",
            reason: str = "",
            data: dict[str, Any] | None = None,
            note: str = "",
            lag: int = 12,
        ) -> int:
            rec = min(t + rng.randint(0, lag), last)
            if data is not None and "decided_on" in data:
                data["decided_on"] = dt.date.fromordinal(rec).isoformat()
            events.append(
                (
                    kind,
                    t,
                    dec,
                    issuer.id if issuer else None,
                    reason,
                    json.dumps(data, ensure_ascii=False) if data else "{}",
                    org.id,
                    status,
                    full,
                    cur_cat,
                    note,
                    rec,
                    rng.randrange(3600, 36000),
                )
            )
            return rec

        def schedule(t: int, kind: str, payload: Any = None) -> None:
            nonlocal seq
            seq += 1
            heapq.heappush(sched, (t, seq, kind, payload))

        def transfer_out(t: int, pool: list[OrgSpec], inside: bool) -> None:
            nonlocal status, transit
            status = "transferred_out"
            target = rng.choice(pool) if inside else None
            if target is org:
                target = None
            transit = target
            if target is None:
                data = {"destination_org": None, "destination": rng.choice(places.DESTINATIONS)}
            else:
                data = {"destination_org": target.code, "destination": target.name}
                schedule(t + rng.randint(7, 45), "arrive", target)
            up = org.superior_on(t)
            emit("transfer_out", t, up, self.decision(up, "GGT"), data=data)

        ceremony = min(admitted + rng.randint(0, 20), last)
        probation_end = add_months(dt.date.fromordinal(ceremony), 12).toordinal()
        issuer = cell.superior_on(admitted)
        emit(
            "admitted",
            admitted,
            issuer,
            self.decision(issuer),
            lag=10,
            data={
                "category_at_admission": category,
                "ceremony_on": dt.date.fromordinal(ceremony).isoformat(),
                # The city's existing members: entered afterwards, not through the admission
                # path (admissions.demo unflags those it links to a candidacy). Issue 20.
                "historical": True,
            },
        )
        schedule(probation_end, "recognize")
        if grad is not None:
            schedule(grad, "graduate")
        if category == "student" and not keep:
            cohort = (admitted - self.w0) / YEAR
            if rng.random() < 0.04 + 0.035 * cohort:  # rising year by year (directive 1000-CV/TU)
                end = min(grad or BIG, last)
                start = admitted + 120
                if end > start:
                    schedule(start + int((end - start) * rng.random()), "abandon")
        t = admitted  # before the five years only scheduled steps happen (recognition)
        rates = (
            []
            if keep
            else RATES_STUDENT
            if category in ("student", "pupil")
            else (RATES_WORKING if category in WORKING else RATES_OTHER)
        )

        while True:
            age = (t - dob) / YEAR
            if t < self.w0 or keep:
                table = []
            elif status == "active":
                table = [*rates, ("death", death_rate(age))]
                if category == "other" and age >= 70:
                    table.append(("exempt", 0.06))
            elif status == "exempted":
                table = [("death", death_rate(age))]
            else:
                table = []
            total = sum(rate for _, rate in table)
            nxt = (
                t + 1 + int(rng.expovariate(total) * YEAR)
                if total
                else (self.w0 if t < self.w0 else BIG)
            )
            if sched and sched[0][0] <= nxt:
                when, _, kind, payload = heapq.heappop(sched)
                if when > last:
                    break
                t = max(t, when)
            else:
                if nxt > last:
                    break
                t = nxt
                if not total:  # reached the start of the five years
                    continue
                pick = rng.random() * total
                kind = table[-1][0]
                for name, rate in table:
                    pick -= rate
                    if pick <= 0:
                        kind = name
                        break
                payload = None
            before = status
            if kind == "recognize":
                if status not in ON_ROLLS and transit is None:
                    continue
                if keep or rng.random() < (0.94 if cur_cat == "student" else 0.97):
                    full = True
                    up = org.superior_on(probation_end)
                    emit(
                        "recognized",
                        probation_end,
                        up,
                        self.decision(up),
                        lag=50,
                        data={"decided_on": ""},
                    )
                    continue
                schedule(t + rng.randint(30, 75), "not_recognized")
                continue
            if kind == "not_recognized":
                if full or status not in ON_ROLLS:
                    continue
                status = "removed"
                up = org.superior_on(t)
                emit(
                    kind="removed",
                    t=t,
                    issuer=up,
                    dec=self.decision(up),
                    reason="not_recognized",
                    note="Không đủ điều kiện công nhận đảng viên chính thức",
                )
            elif kind in ("graduate", "abandon", "leave_school"):
                if status != "active":
                    if status == "temp_away" and kind != "abandon":
                        schedule(t + 60, kind)
                    continue
                if kind == "abandon":
                    if cur_cat != "student":
                        continue
                    status = "removed"
                    up = org.superior_on(t)
                    emit(
                        "removed",
                        t,
                        up,
                        self.decision(up),
                        reason="abandoned_activity",
                    )
                elif kind == "graduate":
                    new = (
                        "student"
                        if cur_cat == "pupil"
                        else rng.choice(
                            ("public_employee", "public_employee", "other", "cadre", "lecturer")
                        )
                    )
                    data = {"from": cur_cat, "to": new}
                    cur_cat = new
                    emit("category_changed", t, None, data=data)
                    if new == "student":  # a pupil going to university in September
                        day = dt.date.fromordinal(t)
                        schedule(
                            dt.date(day.year, 9, rng.randint(5, 30)).toordinal(), "leave_school"
                        )
                    else:  # the school may keep a graduate up to 12 months (HD 01-HD/TW 2012)
                        schedule(t + rng.randint(30, 330), "leave_school")
                elif cur_cat == "student":
                    transfer_out(t, self.student_cells, rng.random() < 0.65)
                else:
                    transfer_out(t, self.settled, rng.random() < 0.35)
            elif kind == "arrive":
                old, org, status, transit = org, payload, "active", None
                emit("transfer_in", t, org.parent_on(t), data={"from_org": old.code})
            elif kind == "temp_back":
                if status != "temp_away":
                    continue
                status = "active"
                emit("temp_back", t, None)
            elif kind == "exempt_end":
                if status != "exempted":
                    continue
                status = "active"
                emit(
                    "exemption_ended", t, None, note="Hết thời gian miễn công tác và sinh hoạt đảng"
                )
            elif kind in ("move", "leave"):
                transfer_out(t, self.pools[GROUP[cell.profile]], kind == "move")
            elif kind == "temp":
                status = "temp_away"
                back = t + rng.randint(90, 330)
                host = rng.choice(places.TEMP_HOSTS)
                up = org.superior_on(t)
                emit(
                    "temp_out",
                    t,
                    up,
                    self.decision(up, "GGT"),
                    data={
                        "host_org": None,
                        "host": host,
                        "until": dt.date.fromordinal(back).isoformat(),
                    },
                )
                schedule(back, "temp_back")
            elif kind == "remove":
                status = "removed"
                reason = REMOVAL.pick(rng)
                up = org.superior_on(t)
                emit(
                    "removed",
                    t,
                    up,
                    self.decision(up),
                    reason=reason,
                    note="Không còn đủ tư cách đảng viên" if reason == "other" else "",
                )
            elif kind == "expel":
                status = "expelled"
                up = org.superior_on(t)
                emit(
                    "expelled",
                    t,
                    up,
                    self.decision(up),
                    note="Vi phạm kỷ luật đến mức phải khai trừ",
                )
            elif kind == "exempt":
                status = "exempted"
                if age >= 60:
                    note = "Tuổi cao, sức yếu"
                else:
                    note = rng.choice(("Điều trị bệnh dài ngày", "Đi làm ăn xa"))
                    schedule(t + rng.randint(120, 400), "exempt_end")
                emit("exempted", t, None, note=note)
            elif kind == "death":
                status = "deceased"
                emit("deceased", t, None)
            if status != before:
                status_changed = t
            last_ordinary = t
            if status in ("removed", "expelled", "deceased") or (
                status == "transferred_out" and transit is None
            ):
                break

        if cur_cat == "student" and category == "pupil":
            grad = dt.date(dt.date.fromordinal(grad or admitted).year + 4, 6, 30).toordinal()
        member = {
            "index": index,
            "words": words,
            "dob": dob,
            "gender": gender,
            "ethnicity": ethnicity,
            "category": cur_cat,
            "grad": grad,
            "org": org.id,
            "status": status,
            "full": full,
            "admitted": admitted,
            "admitting_org": cell.id,
            "category_at_admission": category,
            "ceremony": ceremony,
            "probation_end": probation_end,
            "recognized": probation_end if full else None,
            "pending_org": transit.id if transit is not None else None,
            "status_changed": status_changed,
            "last_event": last_ordinary,
        }
        return member, events
