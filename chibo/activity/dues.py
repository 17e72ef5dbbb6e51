"""Party dues: the amount the rules set, payments (advance and late), reliefs, arrears.

Amounts come from the registry as of the month paid for: pupils and
students a flat sum (5,000 đ from QĐ 01-QĐ/TW of 3/2/2026; 2,000 đ under
QĐ 342-QĐ/TW before), salaried members 1% of the insured salary,
pensioners 0.5% of the pension; reliefs of 30/50/70% (or 100%: exemption)
for up to 12 months at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.activity import dues_plausible as plausible
from chibo.activity import periods, tracking
from chibo.activity.models import DuesBase, DuesBasis, DuesPayment, DuesRelief, PaymentMethod
from chibo.core import audit
from chibo.core.plausibility import NeedsConfirmation
from chibo.core.roles import Cap
from chibo.core.rules import RuleViolation, rule_in_force
from chibo.core.scoping import require_cap_on, scope_for
from chibo.core.services import user_or_none
from chibo.members.models import Category, Member
from chibo.orgs.models import Org

FLAT_CATEGORIES = (Category.STUDENT, Category.PUPIL)


def relief_percent(member: Member, period: dt.date) -> int:
    relief = (
        DuesRelief.objects.filter(member=member, start__lte=period, end__gte=period)
        .order_by("-percent")
        .first()
    )
    return relief.percent if relief else 0


def amount_due(member: Member, period: dt.date) -> int | None:
    """What ``member`` owes for ``period`` by the rules in force then; None if the base is unknown."""
    expected = plausible.expectation(member, period, plausible.known_for([member.pk]))
    return expected.exact


def paid_through(member: Member, *, on: dt.date | None = None) -> dt.date | None:
    """The last month of the unbroken run of paid months from the first payment (for transfer letters)."""
    qs = DuesPayment.objects.filter(member=member)
    if on is not None:
        qs = qs.filter(paid_on__lte=on)
    months = list(qs.order_by("period").values_list("period", flat=True))
    if not months:
        return None
    last = months[0]
    for month in months[1:]:
        if month != periods.shift(last, 1):
            break
        last = month
    return last


def _collecting_org(actor: Any, member: Member) -> Org:
    """The member's cell, or the host cell of a temporarily transferred member."""
    scope = scope_for(actor, Cap.MEMBER_CHANGE) if actor is not None else None
    if scope is None or scope.covers(member.org):
        return member.org
    if member.temp_host_org is not None and scope.covers(member.temp_host_org):
        return member.temp_host_org
    require_cap_on(actor, member.org, Cap.MEMBER_CHANGE)  # raises 403
    return member.org


def _validate_periods(member: Member, months: list[dt.date], paid_on: dt.date) -> None:
    today = timezone.localdate()
    if paid_on > today:
        raise ValidationError({"paid_on": [_("The date cannot be in the future.")]})
    advance = rule_in_force("dues.advance_max_months", on=paid_on)
    first = periods.month_of(member.admitted_on)
    for month in months:
        if month < first:
            raise ValidationError(
                {
                    "periods": [
                        _("%(month)s is before the member's admission.")
                        % {"month": month.strftime("%m/%Y")}
                    ]
                }
            )
        if month > periods.shift(periods.month_of(paid_on), int(advance.value)):
            raise RuleViolation(
                advance,
                _("Dues can be paid at most %(n)s months in advance.") % {"n": advance.value},
                field="periods",
            )


def dues_pay(
    *,
    actor: Any,
    member: Member,
    months: list[dt.date],
    amount_vnd: int,
    paid_on: dt.date,
    method: str = PaymentMethod.CASH,
    reference: str = "",
    confirm: bool = False,
) -> list[DuesPayment]:
    """Record dues of ``amount_vnd`` for each of ``months`` (advance and late payments alike).

    The amount must fit the rule in force for the member and each month
    (``activity.dues_plausible``): impossible amounts are refused, unusual ones need
    ``confirm``.
    """
    org = _collecting_org(actor, member)
    months = sorted({periods.month_of(m) for m in months})
    if not months:
        raise ValidationError({"periods": [_("Choose at least one month.")]})
    plausible.refuse_impossible(amount_vnd, months[-1])
    if method not in PaymentMethod.values:
        raise ValidationError({"method": [_("Choose cash or online payment.")]})
    if method == PaymentMethod.ONLINE and not reference.strip():
        raise ValidationError({"reference": [_("Enter the reference of the online payment.")]})
    _validate_periods(member, months, paid_on)
    already = list(
        DuesPayment.objects.filter(member=member, period__in=months).values_list(
            "period", flat=True
        )
    )
    if already:
        raise ValidationError(
            {
                "periods": [
                    _("Already paid: %(months)s.")
                    % {"months": ", ".join(m.strftime("%m/%Y") for m in sorted(already))}
                ]
            }
        )
    if not confirm:
        odd = plausible.unusual(member, months, amount_vnd, plausible.known_for([member.pk]))
        if odd:
            raise NeedsConfirmation(odd)
    rows = [
        DuesPayment(
            member=member,
            period=m,
            amount_vnd=amount_vnd,
            paid_on=paid_on,
            method=method,
            reference=reference.strip(),
            org=org,
            recorded_by=user_or_none(actor),
        )
        for m in months
    ]
    with transaction.atomic():
        DuesPayment.objects.bulk_create(rows)
        tracking.note_records(payments={org.pk: paid_on})
        audit.record(
            actor=actor,
            action="activity.dues_paid",
            object_type="member",
            object_id=member.member_code,
            data={
                "months": [periods.label(m) for m in months],
                "amount_vnd": amount_vnd,
                "paid_on": paid_on,
                "method": method,
                "reference": reference.strip(),
            },
        )
    return rows


@dataclass
class DuesRecord:
    member_code: str
    period: dt.date
    amount_vnd: int
    paid_on: dt.date
    method: str = PaymentMethod.CASH
    reference: str = ""


def dues_bulk_record(
    *, actor: Any, records: list[DuesRecord], dry_run: bool = False
) -> dict[str, Any]:
    """Importers: record many payments; an identical existing payment is skipped, a different one is an error.

    An impossible amount (zero or less, above any month's dues) is an error; an unusual one
    (not what the rule sets for that member and month) is recorded and reported under
    ``"unusual"`` (``{"row N": [messages]}``) so the import's check shows it first.
    """
    members = {
        m.member_code: m
        for m in Member.objects.filter(
            member_code__in={r.member_code for r in records}
        ).select_related("org", "temp_host_org")
    }
    existing = {
        (code, period): (amount, paid_on)
        for code, period, amount, paid_on in DuesPayment.objects.filter(
            member__member_code__in=list(members)
        ).values_list("member__member_code", "period", "amount_vnd", "paid_on")
    }
    errors: dict[str, list[str]] = {}
    odd: dict[str, list[str]] = {}
    known = plausible.known_for(m.pk for m in members.values())
    rows: list[DuesPayment] = []
    skipped = 0
    seen: set[tuple[str, dt.date]] = set()
    for n, rec in enumerate(records, start=1):
        member = members.get(rec.member_code)
        period = periods.month_of(rec.period)
        try:
            if member is None:
                raise ValidationError(_("Unknown member %(code)s.") % {"code": rec.member_code})
            org = _collecting_org(actor, member)
            if rec.method not in PaymentMethod.values:
                raise ValidationError(_("Choose cash or online payment."))
            plausible.refuse_impossible(rec.amount_vnd, period)
            _validate_periods(member, [period], rec.paid_on)
            key = (rec.member_code, period)
            if key in seen:
                raise ValidationError(_("The same month appears twice."))
            seen.add(key)
            if key in existing:
                if existing[key] != (rec.amount_vnd, rec.paid_on):
                    raise ValidationError(
                        _("%(month)s is already recorded with another amount or date.")
                        % {"month": period.strftime("%m/%Y")}
                    )
                skipped += 1
                continue
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            errors[f"row {n}"] = messages
            continue
        unusual = plausible.unusual(member, [period], rec.amount_vnd, known)
        if unusual:
            odd[f"row {n}"] = unusual
        rows.append(
            DuesPayment(
                member=member,
                period=period,
                amount_vnd=rec.amount_vnd,
                paid_on=rec.paid_on,
                method=rec.method,
                reference=rec.reference.strip(),
                org=org,
                recorded_by=user_or_none(actor),
            )
        )
    if errors:
        raise ValidationError(errors)
    if not dry_run and rows:
        with transaction.atomic():
            DuesPayment.objects.bulk_create(rows, batch_size=500)
            firsts: dict[int, dt.date] = {}
            for row in rows:
                firsts[row.org.pk] = min(row.paid_on, firsts.get(row.org.pk, row.paid_on))
            tracking.note_records(payments=firsts)
            audit.record(
                actor=actor,
                action="activity.dues_imported",
                object_type="dues",
                object_id="",
                data={"rows": len(rows), "members": sorted({r.member.member_code for r in rows})},
            )
    return {"created": len(rows), "skipped": skipped, "unusual": odd}


def dues_relief_grant(
    *,
    actor: Any,
    member: Member,
    start: dt.date,
    end: dt.date,
    percent: int,
    reason: str,
    decision_number: str = "",
) -> DuesRelief:
    """Exempt (100%) or reduce (30/50/70%) dues for months [start, end], at most 12 months at a time."""
    require_cap_on(actor, member.org, Cap.MEMBER_CHANGE)
    start, end = periods.month_of(start), periods.month_of(end)
    if end < start:
        raise ValidationError({"end": [_("The last month must not be before the first.")]})
    allowed = rule_in_force("dues.reduction_percents", on=start)
    if percent != 100 and percent not in allowed.value:
        raise RuleViolation(
            allowed, _("Dues can be reduced by 30, 50 or 70%, or exempted."), field="percent"
        )
    limit = rule_in_force("dues.relief_max_months", on=start)
    if len(periods.span(start, end)) > int(limit.value):
        raise RuleViolation(
            limit,
            _("A relief lasts at most %(n)s months at a time.") % {"n": limit.value},
            field="end",
        )
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        relief = DuesRelief.objects.create(
            member=member,
            start=start,
            end=end,
            percent=percent,
            reason=reason.strip(),
            decision_number=decision_number.strip(),
        )
        audit.record(
            actor=actor,
            action="activity.dues_relief",
            object_type="member",
            object_id=member.member_code,
            data={"start": periods.label(start), "end": periods.label(end), "percent": percent},
        )
    return relief


def dues_base_set(
    *, actor: Any, member: Member, valid_from: dt.date, basis: str, base_vnd: int = 0
) -> DuesBase:
    """Record what a member's dues are computed from (insured salary or pension) from a month on."""
    require_cap_on(actor, member.org, Cap.MEMBER_CHANGE)
    if basis not in DuesBasis.values:
        raise ValidationError({"basis": [_("Choose a basis.")]})
    if basis != DuesBasis.STUDENT_PUPIL and base_vnd <= 0:
        raise ValidationError({"base_vnd": [_("Enter the insured salary or pension.")]})
    with transaction.atomic():
        base, _created = DuesBase.objects.update_or_create(
            member=member,
            valid_from=periods.month_of(valid_from),
            defaults={"basis": basis, "base_vnd": base_vnd},
        )
        audit.record(
            actor=actor,
            action="activity.dues_base",
            object_type="member",
            object_id=member.member_code,
            data={"valid_from": periods.label(base.valid_from), "basis": basis},
        )
    return base
