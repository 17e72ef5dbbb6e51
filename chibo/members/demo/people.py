"""Who the members are: categories, ages, admission dates, rates of later events.

Every event stores the state *after* it (org, status, full standing,
category), the way ``members.services`` writes them; the member's derived
fields are taken from the log exactly as ``services.replay`` recomputes
them. Dates are day ordinals until the writer formats them.
"""

from __future__ import annotations

import datetime as dt
import random

from chibo.lib.dates import add_months
from chibo.members.demo.names import NameMaker, Weighted
from chibo.members.demo.orgtree import OrgSpec, Tree

ORGS_OPENED = dt.date(1975, 5, 1)
YEAR = 365.25
BIG = 10**9

# Categories of a cell's members (besides its fixed students and pupils).
PROFILES: dict[str, list[tuple[str, float]]] = {
    "univ_lecturer": [("lecturer", 0.82), ("public_employee", 0.18)],
    "univ_staff": [("public_employee", 0.7), ("cadre", 0.2), ("lecturer", 0.1)],
    "student": [("lecturer", 0.5), ("public_employee", 0.5)],  # secretaries, youth-union staff
    "thpt": [("teacher", 0.9), ("public_employee", 0.1)],
    "school": [("teacher", 0.85), ("cadre", 0.1), ("public_employee", 0.05)],
    "agency": [("cadre", 0.55), ("public_employee", 0.4), ("other", 0.05)],
    "ward": [("other", 0.7), ("cadre", 0.12), ("public_employee", 0.18)],
}
# Share of members admitted in the last five years (≈3% a year city-wide).
RECENT = {
    "univ_lecturer": 0.2,
    "univ_staff": 0.17,
    "student": 0.2,
    "thpt": 0.2,
    "school": 0.2,
    "agency": 0.15,
    "ward": 0.11,
}
GROUP = {
    "univ_lecturer": "univ",
    "univ_staff": "univ",
    "student": "univ",
    "thpt": "school",
    "school": "school",
    "agency": "agency",
    "ward": "ward",
}
FEMALE = {
    "mam_non": 0.95,
    "tieu_hoc": 0.8,
    "thcs": 0.7,
    "thpt": 0.65,
    "trung_cap": 0.55,
    "cao_dang": 0.5,
    "dai_hoc": 0.5,
    "": 0.45,
}
ADMISSION_AGE = {
    "lecturer": (24, 45),
    "teacher": (22, 45),
    "cadre": (23, 50),
    "public_employee": (22, 45),
    "other": (22, 55),
    "student": (18.3, 24),
}
WORKING = {"lecturer", "teacher", "cadre", "public_employee"}
# Yearly rates of random events for an active member.
RATES_WORKING = [
    ("move", 0.025),
    ("leave", 0.015),
    ("temp", 0.012),
    ("remove", 0.0025),
    ("expel", 0.0004),
    ("exempt", 0.003),
]
RATES_OTHER = [
    ("move", 0.012),
    ("leave", 0.008),
    ("temp", 0.006),
    ("remove", 0.003),
    ("expel", 0.0003),
]
RATES_STUDENT = [("temp", 0.01), ("expel", 0.0003)]
PHONE_PREFIXES = [
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "070",
    "076",
    "077",
    "078",
    "079",
    "081",
    "082",
    "083",
    "084",
    "085",
    "086",
    "088",
    "089",
]
REMOVAL = Weighted([("abandoned_activity", 0.45), ("unpaid_dues", 0.35), ("other", 0.2)])
ON_ROLLS = ("active", "exempted", "temp_away")


def death_rate(age: float) -> float:
    return (
        0.001
        if age < 50
        else 0.004
        if age < 60
        else 0.012
        if age < 70
        else 0.035
        if age < 80
        else 0.09
    )


class Admissions:
    """Admission date, birth date and category of a new member of a cell."""

    def __init__(self, tree: Tree, rng: random.Random, as_of: dt.date) -> None:
        self.rng = rng
        self.names = NameMaker()
        self.last = as_of.toordinal() - 1  # nothing is dated today or later
        self.w0 = add_months(as_of, -60).toordinal()
        self.opened = ORGS_OPENED.toordinal()
        self.pools: dict[str, list[OrgSpec]] = {}
        for cell in tree.cells:
            self.pools.setdefault(GROUP[cell.profile], []).append(cell)
        self.student_cells = [c for c in tree.cells if c.profile == "student"]
        self.settled = self.pools["ward"] + self.pools["agency"]
        self.profiles = {name: Weighted(pairs) for name, pairs in PROFILES.items()}
        self.ethnicity = self.names.ethnicity
        self.forced: dict[tuple[int, int], tuple[list[str], str]] = {}
        demo = tree.demo.get("bithu")
        if demo is not None:
            self.forced = {
                (demo.id, 0): (["Nguyễn", "Văn", "An"], "male"),
                (demo.id, 1): (["Đặng", "Thị", "Hồng", "Nhung"], "female"),
            }

    def category_for(self, cell: OrgSpec, position: int) -> str:
        if position < cell.students:
            return "student"
        if position < cell.students + cell.pupils:
            return "pupil"
        return self.profiles[cell.profile].pick(self.rng)

    def decision(self, issuer: OrgSpec, kind: str = "QĐ") -> str:
        return f"{self.rng.randint(1, 1999)}-{kind}/{issuer.suffix}"

    # --- admission and identity -------------------------------------------

    def admission(self, cell: OrgSpec, category: str) -> tuple[int, int, int | None]:
        """(admitted_on, date_of_birth, expected_graduation) as ordinals."""
        rng, w0, last = self.rng, self.w0, self.last
        if category == "pupil":
            day = dt.date.fromordinal(rng.randint(w0, last))
            if 6 <= day.month <= 8:
                day = dt.date(day.year, 9, rng.randint(5, 30))
                if day.toordinal() > last:
                    day = dt.date(day.year, 5, rng.randint(2, 25))
            grad_year = day.year + 1 if day.month >= 9 else day.year
            dob = dt.date(day.year - 18, day.month, min(day.day, 28)).toordinal() - rng.randint(
                0, 300
            )
            return day.toordinal(), dob, dt.date(grad_year, 6, 30).toordinal()
        recent = category == "student" or rng.random() < RECENT[cell.profile]
        if recent:
            admitted = w0 + int((last - w0) * rng.random() ** 0.92)  # admissions grow a little
            low, high = ADMISSION_AGE[category]
            age = rng.triangular(low, high, low + (high - low) * 0.25)
            dob = admitted - int(age * YEAR)
            grad = None
            if category == "student":
                day = dt.date.fromordinal(admitted)
                grad_day = dt.date(
                    day.year + rng.choice((1, 1, 2, 2, 3)), rng.choice((6, 7, 8, 9, 10)), 15
                )
                grad = grad_day.toordinal()
                if grad < admitted + 150:
                    grad = dt.date(grad_day.year + 1, grad_day.month, 15).toordinal()
            return admitted, dob, grad
        # Admitted before the five years: age today, then age at admission.
        age_now = rng.uniform(28, 60) if category in WORKING else rng.triangular(30, 95, 72)
        dob = last - int(age_now * YEAR)
        adm_age = rng.uniform(19, max(19.5, min(45, age_now - 5.5)))
        admitted = min(dob + int(adm_age * YEAR), w0 - rng.randint(30, 900))
        admitted = max(admitted, self.opened + rng.randint(0, 400), dob + int(18.5 * YEAR))
        return min(admitted, w0 - 1), dob, None

    # --- the simulation ---------------------------------------------------
