"""This month's work ("Việc cần làm") of a cell, and the same counted per unit of a committee.

Every figure is a handful of grouped queries over the root's subtree, whatever
its size (no query per unit or per cell); the grouping into units is done in
Python from each row's org path (a unit is an open child of the root, and the
first ``len(root.path) + STEP`` characters of a path name it).

What counts, on ``today``:

- **no activity data**: an open cell with members on the rolls and no tracking start
  (``activity.tracking``: no meeting or dues payment recorded, no date set by the
  committee): a cell to follow up, whose members are not judged;
- **regular meeting**: an open cell with members on the rolls and no regular
  meeting held (``held_on <= today``) in ``today``'s month; a meeting planned
  later in the month is linked as such;
- **attendance**: a regular meeting of the month already held whose sheet has no
  row (created before its day, never opened since);
- **thematic meeting**: an open cell with members and no thematic meeting in the
  quarter (Charter Art. 24: at least one a quarter);
- **dues**: members (active or temporarily away) whose dues are not paid through
  ``today``'s month (no payment for this month or a later one), counted only in
  cells whose activity is tracked (``activity.tracking``: no figure from missing data);
  a cell counts as having missed last month's meeting only when last month is tracked;
- **warnings**: the stored early warnings (``activity.MemberWarning``, the daily run);
- **admissions**: open candidates whose next deadline is past (overdue) or within
  ``SOON_DAYS`` (due);
- **directive tasks**: assignments of the subtree whose latest period's report is
  not in and due within ``SOON_DAYS`` or past due;
- **transfers**: transfers out in the last 12 months without a letter (to hand
  over), and members transferred to the subtree not yet received (to confirm);
- **temporary transfers**: members temporarily transferred out whose latest temporary
  transfer's expected end is within ``TEMP_ENDING_MONTHS`` (ending) or past (overdue)
  (``activity.transfers.TempAway``; issue 20).

A unit **lags** by its overdue items: cells that missed last month's regular
meeting, meetings of the month without attendance, overdue admission steps,
overdue directive reports and members with a warning. Units are listed by
that sum, the largest first.

Cost: about ten queries whatever the size of the subtree; the dues query reads
every member of the subtree once (two index probes each). For a subtree of
``BIG_SUBTREE`` members or more (a district, the city) the result is kept in the
shared cache for ``CACHE_TTL`` seconds, shared by everyone starting there; the
page says when it was computed. A cell's or a school's list is always live.
"""

from __future__ import annotations

from chibo.home.work.figures import (
    CACHE_TTL,
    DUES_STATUSES,
    KEYS,
    LAG_KEYS,
    SOON_DAYS,
    Counts,
    Item,
    MeetingRef,
    Work,
    compute,
    compute_cached,
    directive_states,
)
from chibo.home.work.todo import items, quarter_label

__all__ = [
    "CACHE_TTL",
    "DUES_STATUSES",
    "KEYS",
    "LAG_KEYS",
    "SOON_DAYS",
    "Counts",
    "Item",
    "MeetingRef",
    "Work",
    "compute",
    "compute_cached",
    "directive_states",
    "items",
    "quarter_label",
]
