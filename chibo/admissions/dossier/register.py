"""The dossier's rows (what exists, what can be made) and issuing a document into its body's
register (numbered), with its recipients.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.admissions.dossier.kinds import (
    CELL_RESOLUTION,
    GRASSROOTS_RESOLUTION,
    KINDS,
    RECOGNITION_RESOLUTION,
    issuer_of,
    levels_on,
    source_of,
)
from chibo.admissions.models import Candidate, CandidateStep, Stage
from chibo.admissions.path import last_step
from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.orgs import letterhead
from chibo.orgs.models import Org

# --- the dossier's rows (what exists, what can be made) -----------------------------------


@dataclass
class Entry:
    kind: str
    label: str
    step: CandidateStep | None
    issuer: Org | None
    document: Any  # directives.Document or None
    applicable: bool
    may_issue: bool

    @property
    def symbol(self) -> str:
        if self.document is not None:
            return self.document.symbol
        return self.step.document_number if self.step and self.step.document_number else ""


def _registered(candidate: Candidate) -> dict[str, Any]:
    from chibo.directives.models import Document

    prefix = f"admissions.candidate:{candidate.pk}:"
    docs = Document.objects.filter(source__startswith=prefix).select_related("org")
    return {d.source[len(prefix) :]: d for d in docs}


def entries(actor: Any, candidate: Candidate) -> list[Entry]:
    """The five documents of ``candidate``'s dossier and where each stands."""
    registered = _registered(candidate)
    manage = scope_for(actor, Cap.DIRECTIVE_MANAGE) if actor is not None else None
    out = []
    for kind, (stage, _type, _title, label) in KINDS.items():
        step = last_step(candidate, stage)
        day = step.done_on if step else candidate.stage_on
        issuer = issuer_of(candidate, kind, day)
        document = registered.get(kind)
        may = bool(
            step is not None
            and issuer is not None
            and document is None
            and (manage is None or manage.covers(issuer))
        )
        out.append(Entry(kind, str(label), step, issuer, document, issuer is not None, may))
    return out


# --- issuing into the register -------------------------------------------------------------


def _paper_number(step: CandidateStep, doc_type: str, issuer: Org) -> int | None:
    """The number recorded on the step ("128-QĐ/ĐUK") when it is this body's and this type."""
    from chibo.directives.symbols import SymbolError, parse_symbol

    if not step.document_number:
        return None
    try:
        symbol = parse_symbol(step.document_number)
    except SymbolError:
        return None
    if symbol.doc_type != doc_type or symbol.issuer != issuer.abbreviation:
        return None
    return symbol.number


def dossier_issue(
    *, actor: Any, candidate: Candidate, kind: str, signer: str = "", signer_title: str = ""
) -> Any:
    """Enter ``kind`` of ``candidate``'s dossier in its issuing body's register (numbered in the
    term of the step's date); returns the register's Document. Once per document."""
    from chibo.directives import services as register

    if kind not in KINDS:
        raise ValidationError({"kind": [_("No such document in the admission dossier.")]})
    stage, doc_type, title, _label = KINDS[kind]
    step = last_step(candidate, stage)
    if step is None:
        raise ValidationError(
            _("“%(step)s” has not been recorded yet: the document follows it.")
            % {"step": Stage(stage).label}
        )
    issuer = issuer_of(candidate, kind, step.done_on)
    if issuer is None:
        raise ValidationError(
            _(
                "A grassroots cell is its own grassroots level: it has no separate committee resolution."
            )
        )
    existing = _registered(candidate).get(kind)
    if existing is not None:
        return existing
    if actor is not None and not scope_for(actor, Cap.DIRECTIVE_MANAGE).covers(issuer):
        raise PermissionDenied(
            _("Only the register of %(org)s numbers this document.") % {"org": issuer.name}
        )
    paper = _paper_number(step, doc_type, issuer)

    def issue(number: int | None) -> Any:
        return register.document_issue(
            actor=actor,
            org=issuer,
            doc_type=doc_type,
            title=f"{title} ({candidate.full_name})",
            issued_on=step.done_on,
            signer=signer,
            signer_title=signer_title,
            recipients=[
                register.RecipientIn(name, kind="copy")
                for name in _recipients(candidate, kind, step.done_on)
            ],
            number=number,
            source=source_of(candidate, kind),
        )

    with transaction.atomic():
        try:
            with transaction.atomic():
                document = issue(paper)
        except ValidationError as exc:
            # The number typed on the step is taken or out of date order in the register:
            # the register decides, with its next number.
            if paper is None or "number" not in getattr(exc, "error_dict", {}):
                raise
            document = issue(None)
        audit.record(
            actor=actor,
            action="admissions.dossier_issue",
            object_type="candidate",
            object_id=candidate.pk,
            data={
                "kind": kind,
                "symbol": document.symbol,
                "org": issuer.code,
                "recorded_number": step.document_number,
            },
        )
    return document


def _committee(org: Org | None, day: dt.date) -> str:
    if org is None:
        return "[cấp ủy có thẩm quyền]"
    return letterhead.committee_form(letterhead.standing_on(org, day).name, org.kind)


def _recipients(candidate: Candidate, kind: str, day: dt.date) -> list[str]:
    levels = levels_on(candidate.org, day)
    cell = _committee(levels.cell, day)
    if kind in (CELL_RESOLUTION, RECOGNITION_RESOLUTION):
        above = levels.grassroots if levels.grassroots.pk != levels.cell.pk else levels.superior
        return [_committee(above, day)]
    if kind == GRASSROOTS_RESOLUTION:
        return [f"Ban Thường vụ {_committee(levels.superior, day)}", cell]
    return [_committee(levels.grassroots, day), cell, f"Đồng chí {candidate.full_name}"]
