"""The transfer letter (giấy giới thiệu sinh hoạt đảng) as a Party document (HD 36-HD/VPTW).

Issued by the member's grassroots level as the tree stood on the letter's date (the
committee above a subordinate cell; a grassroots cell itself), addressed ("Kính gửi") to
the receiving organization, numbered as a GGT in the issuer's register and term
(``Document.source`` "activity.transfer:<event id>"; the number recorded on the letter,
e.g. "12-GGT/ĐU", is kept when it is that body's and fits the sequence). What chibo does
not know (the personal-history number, the order in the cell's list) is a marked field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.activity.transfers import Paper
from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.lib import partydoc
from chibo.orgs import letterhead
from chibo.orgs.models import Org, OrgKind


def source_of(paper: Paper) -> str:
    return f"activity.transfer:{paper.event.pk}"


def issuer_of(paper: Paper) -> Org:
    """The grassroots level of the member's organization on the letter's date."""
    org = paper.event.org
    if org.kind == OrgKind.SUBORDINATE_CELL:
        up = letterhead.standing_on(org, paper.issued_on).parent
        if up is not None:
            return up
    return org


def registered(paper: Paper) -> Any:
    from chibo.directives.models import Document

    return Document.objects.filter(source=source_of(paper)).select_related("org").first()


def _paper_number(paper: Paper, issuer: Org) -> int | None:
    from chibo.directives.symbols import SymbolError, parse_symbol

    if paper.letter is None or not paper.letter.number:
        return None
    try:
        symbol = parse_symbol(paper.letter.number)
    except SymbolError:
        return None
    if symbol.doc_type != "GGT" or symbol.issuer != issuer.abbreviation:
        return None
    return symbol.number


def _kind_words(paper: Paper) -> str:
    return "chính thức" if paper.official else "tạm thời"


def letter_register(*, actor: Any, paper: Paper, signer: str = "", signer_title: str = "") -> Any:
    """Enter the letter in the issuer's register (a GGT numbered in its term); once."""
    from chibo.directives import services as register

    if paper.letter is None:
        raise ValidationError(_("Record the letter first (its date and the dues paid)."))
    existing = registered(paper)
    if existing is not None:
        return existing
    issuer = issuer_of(paper)
    if actor is not None and not scope_for(actor, Cap.DIRECTIVE_MANAGE).covers(issuer):
        raise PermissionDenied(
            _("Only the register of %(org)s numbers this letter.") % {"org": issuer.name}
        )
    with transaction.atomic():
        document = register.document_issue(
            actor=actor,
            org=issuer,
            doc_type="GGT",
            title=f"Giới thiệu sinh hoạt đảng {_kind_words(paper)} ({paper.member.full_name})",
            issued_on=paper.issued_on,
            signer=signer,
            signer_title=signer_title,
            recipients=[register.RecipientIn(paper.destination or "[tổ chức đảng nơi đến]")],
            number=_paper_number(paper, issuer),
            source=source_of(paper),
        )
        audit.record(
            actor=actor,
            action="activity.transfer_letter_register",
            object_type="member",
            object_id=paper.member.member_code,
            data={"event": paper.event.pk, "symbol": document.symbol},
        )
    return document


def body_of(paper: Paper, issuer: Org) -> list[partydoc.Block]:
    member = paper.member
    committee = letterhead.committee_form(
        letterhead.standing_on(issuer, paper.issued_on).name, issuer.kind
    )
    full = member.recognized_on is not None and member.recognized_on <= paper.issued_on
    through = paper.letter.dues_paid_through if paper.letter else None
    dues = through.strftime("%m/%Y") if through else "[tháng/năm]"
    p = partydoc.p
    return [
        p(f"{committee} trân trọng giới thiệu:"),
        p(f"Đồng chí {member.full_name}, sinh ngày {partydoc.day_or_blank(member.date_of_birth)},"),
        p(
            f"là đảng viên {'chính thức' if full else 'dự bị'}; số thẻ đảng viên: "
            f"{member.party_card_number or '[số thẻ đảng viên]'}; số lý lịch đảng viên: "
            "[số lý lịch]; số thứ tự trong danh sách đảng viên của chi bộ: [số thứ tự];"
        ),
        p(f"hiện sinh hoạt tại {paper.event.org.name},"),
        p(
            f"được chuyển sinh hoạt đảng {_kind_words(paper)} đến "
            f"{paper.destination or '[tổ chức đảng nơi đến]'}"
            f"{' (Quyết định số ' + paper.event.decision_number + ')' if paper.event.decision_number else ''}."
        ),
        p(f"Đảng phí đã đóng đến hết tháng {dues}."),
        p("Đề nghị các đồng chí tiếp nhận và giới thiệu đồng chí sinh hoạt đảng theo quy định."),
        p(
            f"Giấy giới thiệu có giá trị đến hết ngày {partydoc.day_or_blank(paper.deadline)}."
            if paper.deadline
            else f"Giấy giới thiệu có giá trị đến hết ngày {partydoc.BLANK_DAY}."
        ),
    ]


def letter_docx(actor: Any, paper: Paper) -> bytes:
    """The letter as DOCX: from its register entry, else unnumbered (or with the number recorded
    on the letter when it is the issuer's); audited as a read of the member's record."""
    from chibo.directives import documents
    from chibo.directives.models import Document

    issuer = issuer_of(paper)
    document = registered(paper)
    if document is None:
        abbreviation = issuer.abbreviation or letterhead.default_abbreviation(
            issuer.name, issuer.kind
        )
        number = _paper_number(paper, issuer)
        document = Document(
            direction="out",
            org=issuer,
            number=number or 0,
            doc_type="GGT",
            issuer_code=abbreviation,
            symbol=f"{number:02d}-GGT/{abbreviation}" if number else f"-GGT/{abbreviation}",
            title="Giới thiệu sinh hoạt đảng",
            issuing_org=issuer,
            issued_on=paper.issued_on,
            signature_for=letterhead.capacities(issuer)[0].text,
        )
        to: list[str] | None = [paper.destination or "[tổ chức đảng nơi đến]"]
        recipients: list[str] | None = partydoc.recipient_lines(
            [], letterhead.archive_line(issuer), as_above=True
        )
    else:
        to = recipients = None
    doc = documents.party_doc(
        document,
        body=body_of(paper, issuer),
        title="GIẤY GIỚI THIỆU",
        subtitle=f"Sinh hoạt đảng {_kind_words(paper)}",
        to=to,
        recipients=recipients,
    )
    audit.record(
        actor=actor,
        action="activity.transfer_letter_docx",
        object_type="member",
        object_id=paper.member.member_code,
        data={"event": paper.event.pk, "symbol": document.symbol},
    )
    return partydoc.render(doc)
