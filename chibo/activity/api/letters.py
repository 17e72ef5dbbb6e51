"""A transfer's letter: its DOCX (the page's own download) and its number in the register."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from chibo.activity import transfers
from chibo.activity.api.common import router
from chibo.apitools import created, file_response
from chibo.core.web import DOCX_TYPE


class LetterRegisterIn(Schema):
    signer: str = ""
    signer_title: str = ""


class LetterRegisteredOut(Schema):
    document: int = Field(description="The letter in its issuer's register")
    symbol: str = Field(description="Its number and symbol (a numbered GGT)")
    org: str = Field(description="Code of the issuing org")


@router.get(
    "/transfers/{event_id}/letter/docx",
    summary="The transfer letter as DOCX in the Party's format (HD 36-HD/VPTW)",
    openapi_extra=file_response(DOCX_TYPE),
)
def transfer_letter_docx(request: HttpRequest, event_id: int) -> Any:
    from chibo.activity.views import letter_download

    return letter_download(request.user, transfers.paper_for(request.user, event_id))


@router.post(
    "/transfers/{event_id}/letter/register",
    response={201: LetterRegisteredOut},
    summary="Enter the transfer letter in its issuer's register (a numbered GGT)",
)
def transfer_letter_register(request: HttpRequest, event_id: int, body: LetterRegisterIn) -> Any:
    from chibo.activity import letters

    paper = transfers.paper_for(request.user, event_id)
    entry = letters.letter_register(
        actor=request.user, paper=paper, signer=body.signer, signer_title=body.signer_title
    )
    return created({"document": entry.pk, "symbol": entry.symbol, "org": entry.org.code})
