"""The committee's override of a failed check."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy

from chibo.admissions import services
from chibo.admissions.models import (
    PATH,
    Candidate,
    Stage,
)
from chibo.core.rules import all_rules


def override_rule_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for rule in all_rules():
        if rule.key.startswith(("admission.", "recognition.")) or rule.key == "probation.months":
            seen.setdefault(rule.key, rule.title)
    return sorted(seen.items())


class OverrideForm(forms.Form):
    stage = forms.ChoiceField(
        label=gettext_lazy("Step"), choices=[(s, Stage(s).label) for s in PATH]
    )
    rule_key = forms.ChoiceField(label=gettext_lazy("Rule"), choices=())
    reason = forms.CharField(
        label=gettext_lazy("Reason (e.g. the approving document)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: Any, candidate: Candidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.candidate = user, candidate
        cast(forms.ChoiceField, self.fields["rule_key"]).choices = override_rule_choices()

    def save(self) -> Any:
        data = self.cleaned_data
        return services.candidate_override(
            actor=self.user,
            candidate=self.candidate,
            stage=data["stage"],
            rule_key=data["rule_key"],
            reason=data["reason"],
        )
