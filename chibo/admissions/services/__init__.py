"""Writes to the admission path: register, record each step, override a failed check.

Each function checks the actor's right (cell steps: member.change on the
candidate's cell; committee steps and overrides: admission.decide),
validates against the rules in force on the step's date (``checks``),
writes, and records the audit entry — in one transaction. The decision
to admit creates the party member through ``members.services.member_admit``
(probationary, admitted on the decision's date, so the member's event log
starts with the admission); the ceremony appends its event through
``member_record_ceremony`` (probation from the ceremony), and the
recognition decision goes through ``member_recognize``.
"""

from __future__ import annotations

from chibo.admissions.path import allowed_stages, last_step, next_stage, youth_union_needed
from chibo.admissions.services.candidates import (
    candidate_override,
    candidate_register,
    candidate_replace_introducer,
    candidate_set_education,
)
from chibo.admissions.services.receipts import (
    candidate_record_decision_receipt,
    candidate_record_member_history,
)
from chibo.admissions.services.steps import candidate_record_step
from chibo.admissions.services.votes import vote_figures

__all__ = [
    "allowed_stages",
    "candidate_override",
    "candidate_record_decision_receipt",
    "candidate_record_member_history",
    "candidate_record_step",
    "candidate_register",
    "candidate_replace_introducer",
    "candidate_set_education",
    "last_step",
    "next_stage",
    "vote_figures",
    "youth_union_needed",
]
