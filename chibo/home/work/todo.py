"""The counts turned into the list a person reads: one item per kind of work, with its words and
its link.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from chibo.home.work.figures import SOON_DAYS, Counts, Item, Work
from chibo.lib.dates import dmy

# --- the to-do list ---------------------------------------------------------------------------


def quarter_label(quarter: tuple[int, int]) -> str:
    year, q = quarter
    return _("quarter %(q)s/%(y)s") % {"q": ("I", "II", "III", "IV")[q - 1], "y": year}


def items(counts: Counts, work: Work, *, cell: bool, can_report: bool = False) -> list[Item]:
    """The lines of the list for one cell or committee, in order; what is done is left out.

    A line's label reads after its count ("4 | members have not paid …"); the
    meeting lines of a cell have no count (``count`` = 0: shown as a mark).
    """
    n = counts.n
    month = work.month.strftime("%m/%Y")
    org_q = f"?org={counts.org.code}"
    # Reporting on a task needs directive.report; others read the assignment in the register.
    tasks_url = reverse("directives:my_tasks") if can_report else reverse("directives:register")
    new_meeting = reverse("activity:meeting_new") + org_q
    overview = reverse("activity:overview") + org_q
    warnings = reverse("activity:warnings") + org_q
    out: list[Item] = []

    def add(key: str, label: str, url: str, late: bool = False, count: bool = True) -> None:
        if n[key]:
            out.append(Item(key, label, n[key] if count else 0, url, late))

    if cell:
        add(
            "no_data",
            _(
                "No activity data yet for this cell: record its meetings and dues (its members "
                "are not warned until then)."
            ),
            reverse("activity:meetings") + org_q,
            count=False,
        )
        planned = counts.planned
        if planned is not None:
            label = _(
                "This month's regular meeting is planned for %(date)s: hold it, then mark attendance."
            ) % {"date": dmy(planned.held_on)}
            add("regular", label, reverse("activity:meeting", args=[planned.pk]), count=False)
        else:
            label = _("The regular meeting of %(month)s has not been held yet.") % {"month": month}
            add("regular", label, new_meeting, count=False)
        if counts.unrecorded is not None:
            add(
                "attendance",
                _("The meeting of %(date)s was held but its attendance is not recorded.")
                % {"date": dmy(counts.unrecorded.held_on)},
                reverse("activity:meeting", args=[counts.unrecorded.pk]) + "#sheet",
                late=True,
                count=False,
            )
        add(
            "thematic",
            _("No thematic meeting yet in %(quarter)s.") % {"quarter": quarter_label(work.quarter)},
            new_meeting + "&kind=thematic",
            count=False,
        )
    else:
        add(
            "no_data",
            _("cells have no activity data yet (no meeting or dues recorded): follow them up"),
            reverse("activity:tracking") + org_q,
        )
        add(
            "regular",
            _("cells have not held the regular meeting of %(month)s") % {"month": month},
            overview,
        )
        add(
            "attendance",
            _("meetings held this month have no attendance recorded"),
            overview,
            late=True,
        )
        add(
            "thematic",
            _("cells have had no thematic meeting in %(quarter)s")
            % {"quarter": quarter_label(work.quarter)},
            overview,
        )
    add(
        "dues",
        _("members have not paid dues through %(month)s") % {"month": month},
        reverse("activity:dues") + org_q,
    )
    add(
        "reviews",
        _("members have reached the removal threshold: review with the cell"),
        warnings + "&level=removal_review",
        late=True,
    )
    add(
        "warnings",
        _("members have an early warning (missed activity or dues)"),
        warnings + "&level=warning",
    )
    add(
        "admissions_overdue",
        _("admission steps are overdue"),
        reverse("admissions:board") + org_q + "&overdue=1",
        late=True,
    )
    add(
        "admissions_due",
        _("admission steps are due within %(days)s days") % {"days": SOON_DAYS},
        reverse("admissions:board") + org_q,
    )
    add(
        "histories_overdue",
        _("new members' personal histories are overdue (30 working days after the ceremony)"),
        reverse("admissions:board") + org_q + "&history_overdue=1",
        late=True,
    )
    add(
        "histories_due",
        _("new members' personal histories are due within %(days)s days") % {"days": SOON_DAYS},
        reverse("admissions:board") + org_q,
    )
    add(
        "recognition_escalated",
        _(
            "recognition cases are with the upper committee after three votes without 2/3: "
            "waiting for its decision"
        )
        if cell
        else _(
            "recognition cases went to the upper committee after three votes without 2/3: "
            "decide them"
        ),
        reverse("admissions:board") + org_q + "&escalated=1",
        late=True,
    )
    add("directives_overdue", _("directive reports are overdue"), tasks_url, late=True)
    add(
        "directives_due",
        _("directive reports are due within %(days)s days") % {"days": SOON_DAYS},
        tasks_url,
    )
    add(
        "transfers_out",
        _("transfers out have no transfer letter yet: hand them over"),
        reverse("activity:transfers") + org_q,
    )
    add(
        "transfers_in",
        _("members transferred here wait to be received"),
        reverse("activity:transfers") + org_q,
    )
    add(
        "temporary_overdue",
        _("temporary transfers are past their expected end: record the return"),
        reverse("activity:transfers") + org_q + "#temporary",
        late=True,
    )
    add(
        "temporary_ending",
        _("temporary transfers end within a month"),
        reverse("activity:transfers") + org_q + "#temporary",
    )
    return out
