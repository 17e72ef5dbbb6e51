"""Forms of the admission path; each hands its data to one admissions.services function."""

from __future__ import annotations

from chibo.admissions.forms.candidates import (
    BoardFilterForm,
    EducationForm,
    RegisterForm,
    ReplaceIntroducerForm,
)
from chibo.admissions.forms.overrides import OverrideForm, override_rule_choices
from chibo.admissions.forms.steps import (
    DOC_LABELS,
    VOTE_STAGES,
    DecisionReceiptForm,
    MemberHistoryForm,
    StepForm,
    received_on_field,
)

__all__ = [
    "DOC_LABELS",
    "VOTE_STAGES",
    "BoardFilterForm",
    "DecisionReceiptForm",
    "EducationForm",
    "MemberHistoryForm",
    "OverrideForm",
    "RegisterForm",
    "ReplaceIntroducerForm",
    "StepForm",
    "override_rule_choices",
    "received_on_field",
]
