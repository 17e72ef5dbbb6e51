"""Numbers in the register: taking the next one, checking a recorded one, re-dating."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chibo.core.rules import RuleMissing, rule_in_force
from chibo.directives.models import (
    CommitteeTerm,
    Direction,
    Document,
    IssuingUnit,
    NumberCounter,
)
from chibo.directives.services.terms import term_on
from chibo.lib.dates import dmy
from chibo.orgs import letterhead
from chibo.orgs.models import Org


def _sequence_error(message: str) -> ValidationError:
    return ValidationError({"issued_on": [message]})


def _check_sequence(taken: Any, issued_on: dt.date, number: int | None) -> None:
    """Numbers follow dates within a type and term: refuse a number that would break that.

    ``taken`` are the numbered documents of the same org, term, type and unit.
    Without ``number`` (the next one), the new document may not be dated before
    the latest of them; with an explicit ``number``, every lower number must be
    dated on or before it and every higher one on or after it.
    """
    if number is None:
        latest = taken.order_by("-issued_on", "-number").first()
        if latest is not None and issued_on < latest.issued_on:
            raise _sequence_error(
                _(
                    "%(symbol)s is already dated %(date)s: a document dated %(day)s cannot take "
                    "the next number after it. Date it %(date)s or later, or record it with the "
                    "number it was given on paper."
                )
                % {
                    "symbol": latest.symbol,
                    "date": dmy(latest.issued_on),
                    "day": dmy(issued_on),
                }
            )
        return
    clash = taken.filter(number=number).first()
    if clash is not None:
        raise ValidationError(
            {"number": [_("The number %(symbol)s is already used.") % {"symbol": clash.symbol}]}
        )
    later_lower = (
        taken.filter(number__lt=number, issued_on__gt=issued_on).order_by("-number").first()
    )
    earlier_higher = (
        taken.filter(number__gt=number, issued_on__lt=issued_on).order_by("number").first()
    )
    wrong = later_lower or earlier_higher
    if wrong is not None:
        raise ValidationError(
            {
                "number": [
                    _(
                        "Number %(number)s dated %(day)s would break the sequence: %(symbol)s is "
                        "dated %(date)s."
                    )
                    % {
                        "number": f"{number:02d}",
                        "day": dmy(issued_on),
                        "symbol": wrong.symbol,
                        "date": dmy(wrong.issued_on),
                    }
                ]
            }
        )


def _take_number(
    org: Org,
    term: CommitteeTerm,
    doc_type: str,
    issued_on: dt.date,
    unit: str = IssuingUnit.COMMITTEE,
    number: int | None = None,
) -> int:
    """The next number of ``doc_type`` in ``term`` (or ``number``, checked): call inside the
    issuing transaction.

    The counter row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transactions already serialise writers), so two concurrent
    issuings get consecutive numbers; the document insert in the same
    transaction means a rollback returns the number too — no gaps. Numbers
    follow the documents' dates (``_check_sequence``).
    """
    try:
        rule = rule_in_force("directives.numbering", on=issued_on)
    except RuleMissing as exc:
        raise ValidationError(
            {"issued_on": [_("No numbering rule is in force on this date.")]}
        ) from exc
    first = int(rule.value["first"])
    counters = NumberCounter.objects.select_for_update()
    key = {"org": org, "term": term, "doc_type": doc_type, "issuing_unit": unit}
    try:
        with transaction.atomic():
            counter, _created = counters.get_or_create(**key, defaults={"last_number": first - 1})
    except IntegrityError:  # another transaction created it first; wait for its lock
        counter = counters.get(**key)
    taken = Document.objects.filter(
        direction=Direction.OUTGOING, org=org, term=term, doc_type=doc_type, issuing_unit=unit
    )
    _check_sequence(taken, issued_on, number)
    if number is None:
        counter.last_number += 1
    else:
        if number < first:
            raise ValidationError({"number": [_("Numbers start at %(n)s.") % {"n": first}]})
        counter.last_number = max(counter.last_number, number)
    counter.save(update_fields=["last_number"])
    return counter.last_number if number is None else number


def check_redate(document: Document, day: dt.date) -> None:
    """A numbered document may take a new date only if its number still follows the dates."""
    taken = Document.objects.filter(
        direction=Direction.OUTGOING,
        org=document.org,
        term=document.term,
        doc_type=document.doc_type,
        issuing_unit=document.issuing_unit,
    ).exclude(pk=document.pk)
    if term_on(document.org, day).pk != document.term_id:
        raise ValidationError(
            {"issued_on": [_("The new date falls in another committee term than the number.")]}
        )
    _check_sequence(taken, day, document.number)


def issuer_code_for(org: Org, unit: str = IssuingUnit.COMMITTEE) -> str:
    """The issuer part of the org's symbols: its abbreviation, or its office's ("VPTU")."""
    abbreviation = org.abbreviation or letterhead.default_abbreviation(org.name, org.kind)
    return f"VP{abbreviation}" if unit == IssuingUnit.OFFICE else abbreviation


def default_issuing_body(org: Org, unit: str, day: dt.date) -> str:
    """ "Đảng ủy Trường Đại học Bách khoa", "Văn phòng Thành ủy" (as named on ``day``)."""
    standing = letterhead.standing_on(org, day)
    committee = letterhead.committee_form(standing.name, org.kind)
    if unit == IssuingUnit.OFFICE:
        return f"Văn phòng {letterhead.committee_word(standing.name, org.kind)}"
    return committee
