"""The documents' text and their DOCX (HD 36-HD/VPTW)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chibo.admissions.dossier.kinds import (
    CELL_RESOLUTION,
    DECISION,
    GRASSROOTS_RESOLUTION,
    KINDS,
    RECOGNITION_RESOLUTION,
    issuer_of,
    levels_on,
)
from chibo.admissions.dossier.register import _committee, _paper_number, _recipients, _registered
from chibo.admissions.models import Candidate, CandidateStep, Stage
from chibo.admissions.path import last_step
from chibo.core import audit
from chibo.core.rules import RuleMissing, rule_in_force
from chibo.lib import partydoc
from chibo.lib.numbers import percent, vn_pct
from chibo.orgs import letterhead

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
