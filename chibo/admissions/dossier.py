"""The admission dossier, generated: the documents a cell and its committees write by hand for
every admission, as Party documents (HD 36-HD/VPTW), from what chibo records.

1. the cell's resolution proposing admission, with the vote figures (6-KNĐ);
2. the grassroots committee's resolution (8-KNĐ) — for a cell under a grassroots
   committee; a grassroots cell is its own grassroots level;
3. the decision on admission (9-KNĐ), by the committee above the grassroots level;
4. the cell's resolution proposing recognition as a full member;
5. the decision on recognition.

Each is issued by its body as the tree stood on the step's date, and numbered in that
body's register and term (``directives.services.document_issue``; a number recorded on
the step, e.g. the decision's "128-QĐ/ĐUK", is kept when it fits the register's
sequence). The register entry is made once (``Document.source``
"admissions.candidate:<id>:<kind>") by someone who keeps that body's register;
anyone who may see the candidate downloads the DOCX. What chibo does not know (the
cell's assessment of the candidate's merits, the committee's own vote, the home town)
is a marked field, "[…]", to fill in by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.admissions.models import Candidate, CandidateStep, Stage
from chibo.admissions.path import last_step
from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.rules import RuleMissing, rule_in_force
from chibo.core.scoping import scope_for
from chibo.lib import partydoc
from chibo.lib.numbers import percent, vn_pct
from chibo.orgs import letterhead
from chibo.orgs.models import Org, OrgKind

CELL_RESOLUTION = "cell_resolution"
GRASSROOTS_RESOLUTION = "grassroots_resolution"
DECISION = "decision"
RECOGNITION_RESOLUTION = "recognition_resolution"
RECOGNITION_DECISION = "recognition_decision"

# kind: (the step it follows, document type, title, label)
KINDS: dict[str, tuple[str, str, str, Any]] = {
    CELL_RESOLUTION: (
        Stage.CELL_RESOLUTION,
        "NQ",
        "Đề nghị kết nạp đảng viên",
        gettext_lazy("Cell resolution proposing admission"),
    ),
    GRASSROOTS_RESOLUTION: (
        Stage.GRASSROOTS_RESOLUTION,
        "NQ",
        "Đề nghị kết nạp đảng viên",
        gettext_lazy("Grassroots committee resolution"),
    ),
    DECISION: (
        Stage.DECISION,
        "QĐ",
        "Kết nạp đảng viên",
        gettext_lazy("Decision on admission"),
    ),
    RECOGNITION_RESOLUTION: (
        Stage.RECOGNITION_VOTE,
        "NQ",
        "Đề nghị công nhận đảng viên chính thức",
        gettext_lazy("Cell resolution proposing recognition"),
    ),
    RECOGNITION_DECISION: (
        Stage.RECOGNITION_DECISION,
        "QĐ",
        "Công nhận đảng viên chính thức",
        gettext_lazy("Decision on recognition"),
    ),
}


def source_of(candidate: Candidate, kind: str) -> str:
    return f"admissions.candidate:{candidate.pk}:{kind}"


# --- who issues each document ----------------------------------------------------------------


@dataclass(frozen=True)
class Levels:
    """The cell, its grassroots level and the committee above that, on a day."""

    cell: Org
    grassroots: Org  # the cell itself for a grassroots cell
    superior: Org | None  # decides admissions (None only at the root)


def levels_on(cell: Org, day: dt.date) -> Levels:
    up = letterhead.standing_on(cell, day).parent
    if cell.kind == OrgKind.SUBORDINATE_CELL and up is not None:
        grassroots = up
        superior = letterhead.standing_on(up, day).parent
    else:
        grassroots = cell
        superior = up
    return Levels(cell, grassroots, superior)


def issuer_of(candidate: Candidate, kind: str, day: dt.date) -> Org | None:
    """The body that issues ``kind`` for ``candidate`` on ``day`` (None: not its document)."""
    levels = levels_on(candidate.org, day)
    if kind in (CELL_RESOLUTION, RECOGNITION_RESOLUTION):
        return candidate.org
    if kind == GRASSROOTS_RESOLUTION:
        return levels.grassroots if levels.grassroots.pk != candidate.org.pk else None
    return levels.superior


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


# --- the documents' text ---------------------------------------------------------------------


def _charter_sources(day: dt.date) -> str:
    try:
        source = rule_in_force("admission.decision_working_days", on=day).source
    except RuleMissing:
        return "[quy định thi hành Điều lệ Đảng]"
    return source.removeprefix("Điều lệ Đảng;").strip() or source


def _vote(step: CandidateStep | None) -> tuple[str, str, str]:
    """(for, of how many, share) from a cell vote step: the share of the full members counted
    (all full members less the absent exempted or transferred-out ones, QĐ 294 §9.3.2)."""
    if step is None or "votes_for" not in step.data:
        return "[  ]", "[  ]", "[  ]%"
    counted = int(step.data.get("full_members", 0)) - int(step.data.get("absent_excluded", 0))
    votes = int(step.data["votes_for"])
    return str(votes), str(counted), vn_pct(percent(votes, counted))


def _identity(candidate: Candidate) -> str:
    return (
        f"{candidate.full_name}, sinh ngày {partydoc.day_or_blank(candidate.date_of_birth)}, dân tộc "
        f"{candidate.ethnicity}, quê quán: [quê quán], nơi ở hiện nay: [nơi ở hiện nay], "
        f"{candidate.get_category_display().lower()}, nơi làm việc, học tập: "
        "[nơi làm việc, học tập]"
    )


def body_of(candidate: Candidate, kind: str, step: CandidateStep | None) -> list[partydoc.Block]:
    day = step.done_on if step else None
    levels = levels_on(candidate.org, day or candidate.stage_on)
    cell = _committee(levels.cell, day or candidate.stage_on)
    grassroots = _committee(levels.grassroots, day or candidate.stage_on)
    superior = _committee(levels.superior, day or candidate.stage_on)
    name = candidate.full_name
    p = partydoc.p
    if kind == CELL_RESOLUTION:
        votes, counted, share = _vote(step)
        above = grassroots if levels.grassroots.pk != levels.cell.pk else superior
        return [
            p(
                f"Ngày {partydoc.day_or_blank(day)}, {cell} đã họp xét đề nghị kết nạp quần chúng {name} vào Đảng Cộng sản Việt Nam."
            ),
            p(
                "Căn cứ đơn xin vào Đảng, lý lịch của người xin vào Đảng, ý kiến nhận xét của các đoàn thể chính trị - xã hội và chi ủy nơi cư trú, giấy giới thiệu của đảng viên chính thức, Chi bộ nhận thấy:"
            ),
            p(f"1. Quần chúng {_identity(candidate)}."),
            p(
                "2. Những ưu điểm, khuyết điểm chính về phẩm chất chính trị, đạo đức, lối sống, năng lực công tác và quan hệ quần chúng: [Ưu điểm, khuyết điểm do chi bộ nhận xét]."
            ),
            p(
                f"3. Số đảng viên chính thức tán thành việc kết nạp: {votes}/{counted} đồng chí, đạt {share} so với tổng số đảng viên chính thức của chi bộ (không tính đảng viên được miễn sinh hoạt, chuyển sinh hoạt tạm thời vắng mặt)."
            ),
            p(
                f"Chi bộ đề nghị {above} xem xét, đề nghị cấp ủy có thẩm quyền quyết định kết nạp quần chúng {name} vào Đảng Cộng sản Việt Nam."
            ),
        ]
    if kind == GRASSROOTS_RESOLUTION:
        resolution = last_step(candidate, Stage.CELL_RESOLUTION)
        return [
            p(
                f"Ngày {partydoc.day_or_blank(day)}, {grassroots} đã họp xét đề nghị của {cell} (nghị quyết ngày {partydoc.day_or_blank(resolution.done_on if resolution else None)}) về việc kết nạp quần chúng {name} vào Đảng Cộng sản Việt Nam."
            ),
            p(f"Quần chúng {_identity(candidate)}."),
            p(
                "Tổng số cấp ủy viên: [  ] đồng chí; có mặt: [  ] đồng chí; số tán thành việc kết nạp: [  ] đồng chí, đạt [  ]%."
            ),
            p(
                f"{grassroots} đề nghị Ban Thường vụ {superior} xem xét, quyết định kết nạp quần chúng {name} vào Đảng Cộng sản Việt Nam."
            ),
        ]
    if kind == DECISION:
        months = _probation_months(day)
        return [
            partydoc.center(f"BAN THƯỜNG VỤ {superior.upper()}", bold=True),
            p("- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;"),
            p(
                f"- Căn cứ các quy định, hướng dẫn thi hành Điều lệ Đảng ({_charter_sources(day or candidate.stage_on)});"
            ),
            p(f"- Xét đề nghị của {grassroots} và {cell},"),
            partydoc.center("QUYẾT ĐỊNH:", bold=True),
            p(f"Điều 1. Kết nạp quần chúng {_identity(candidate)} vào Đảng Cộng sản Việt Nam."),
            p(
                f"Điều 2. Thời gian dự bị của đồng chí {name} là {months} tháng, kể từ ngày chi bộ tổ chức lễ kết nạp."
            ),
            p(f"Điều 3. {grassroots}, {cell} và đồng chí {name} thi hành Quyết định này."),
        ]
    member = candidate.member
    admitted = member.admitted_on if member else None
    decision = last_step(candidate, Stage.DECISION)
    entered = _registered(candidate).get(DECISION)
    decision_number = (
        entered.symbol
        if entered is not None
        else (decision.document_number if decision and decision.document_number else "")
    ) or "[số quyết định]"
    ceremony = member.ceremony_on if member else None
    probation_end = member.probation_ends_on if member else None
    if kind == RECOGNITION_RESOLUTION:
        votes, counted, share = _vote(step)
        above = grassroots if levels.grassroots.pk != levels.cell.pk else superior
        return [
            p(
                f"Ngày {partydoc.day_or_blank(day)}, {cell} đã họp xét đề nghị công nhận đảng viên chính thức cho đồng chí {name}."
            ),
            p(
                f"Đồng chí {name}, sinh ngày {partydoc.day_or_blank(candidate.date_of_birth)}, được kết nạp vào Đảng theo Quyết định số {decision_number} ngày {partydoc.day_or_blank(admitted)}; thời gian dự bị từ ngày {partydoc.day_or_blank(ceremony)} đến ngày {partydoc.day_or_blank(probation_end)}."
            ),
            p(
                "Ưu điểm, khuyết điểm chính trong thời gian dự bị: [Ưu điểm, khuyết điểm do chi bộ nhận xét]."
            ),
            p(
                f"Số đảng viên chính thức tán thành công nhận đảng viên chính thức: {votes}/{counted} đồng chí, đạt {share}."
            ),
            p(
                f"Chi bộ đề nghị {above} xem xét, đề nghị cấp ủy có thẩm quyền quyết định công nhận đồng chí {name} là đảng viên chính thức."
            ),
        ]
    return [
        partydoc.center(f"BAN THƯỜNG VỤ {superior.upper()}", bold=True),
        p("- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;"),
        p(
            f"- Căn cứ các quy định, hướng dẫn thi hành Điều lệ Đảng ({_charter_sources(day or candidate.stage_on)});"
        ),
        p(f"- Xét đề nghị của {grassroots} và {cell},"),
        partydoc.center("QUYẾT ĐỊNH:", bold=True),
        p(
            f"Điều 1. Công nhận đồng chí {name}, sinh ngày {partydoc.day_or_blank(candidate.date_of_birth)}, kết nạp vào Đảng ngày {partydoc.day_or_blank(admitted)}, là đảng viên chính thức kể từ ngày {partydoc.day_or_blank(probation_end)}."
        ),
        p(f"Điều 2. {grassroots}, {cell} và đồng chí {name} thi hành Quyết định này."),
    ]


def _probation_months(day: dt.date | None) -> str:
    if day is None:
        return "[  ]"
    try:
        return str(rule_in_force("probation.months", on=day).value)
    except RuleMissing:
        return "[  ]"


# --- the DOCX --------------------------------------------------------------------------------


def dossier_docx(actor: Any, candidate: Candidate, kind: str) -> bytes:
    """The document as DOCX: from its register entry when made, else from the step as
    recorded (its number as recorded, or left blank), audited as a read of the candidate."""
    from chibo.directives import documents
    from chibo.directives.models import Document

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
    document = _registered(candidate).get(kind)
    if document is None:  # not in the register yet: laid out from the step
        abbreviation = issuer.abbreviation or letterhead.default_abbreviation(
            issuer.name, issuer.kind
        )
        number = _paper_number(step, doc_type, issuer)
        symbol = (
            f"{number:02d}-{doc_type}/{abbreviation}" if number else f"-{doc_type}/{abbreviation}"
        )
        document = Document(
            direction="out",
            org=issuer,
            number=number or 0,
            doc_type=doc_type,
            issuer_code=abbreviation,
            symbol=symbol,
            title=f"{title} ({candidate.full_name})",
            issuing_org=issuer,
            issued_on=step.done_on,
            signature_for=letterhead.capacities(issuer)[0].text,
        )
        recipients = partydoc.recipient_lines(
            _recipients(candidate, kind, step.done_on),
            letterhead.archive_line(issuer),
            as_above=False,
        )
    else:
        recipients = None
    doc = documents.party_doc(
        document,
        body=body_of(candidate, kind, step),
        subtitle=title,
        recipients=recipients,
    )
    audit.record(
        actor=actor,
        action="admissions.dossier",
        object_type="candidate",
        object_id=candidate.pk,
        data={"kind": kind, "symbol": document.symbol},
    )
    return partydoc.render(doc)
