"""Demo data of the interchange app: none.

Imports and exports are actions on the orgs and members the base seed
builds; an ``ImportJob`` only exists for a file someone uploaded, so the
demo adds no rows (a demo user can export and re-import at once).
"""

from __future__ import annotations

import datetime as dt
import random


def seed_demo(*, rng: random.Random, today: dt.date, scale: float) -> dict[str, int]:
    return {"import_jobs": 0}
