"""One candidate's pages: the record and its path, each step, the decision's receipt, the personal
history, the education level, an introducer's replacement, overrides and the dossier's
documents.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chibo.admissions import dossier, selectors
from chibo.admissions.forms import (
    DecisionReceiptForm,
    EducationForm,
    MemberHistoryForm,
    OverrideForm,
    ReplaceIntroducerForm,
    StepForm,
)
from chibo.admissions.models import PATH, Candidate, Stage
from chibo.admissions.path import allowed_stages, failed_votes, next_stage
from chibo.core.roles import Cap
from chibo.core.rules import rule_in_force
from chibo.core.scoping import scope_for
from chibo.core.web import DOCX_TYPE, run_service


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_detail(request.user, pk)
    today = timezone.localdate()
    allowed = allowed_stages(candidate)
    may_replace = candidate.stage in PATH[
        PATH.index(Stage.INTRODUCERS) : PATH.index(Stage.DECISION)
    ] and scope_for(request.user, Cap.MEMBER_CHANGE).covers(candidate.org)
    context = {
        "c": candidate,
        "rows": selectors.path_rows(candidate),
        "next": next_stage(candidate),
        "next_label": Stage(upcoming).label if (upcoming := next_stage(candidate)) else "",
        "due_label": Stage(candidate.next_due_for).label
        if candidate.next_due_for in Stage.values
        else "",
        "actions": [
            (s, Stage(s).label) for s in allowed if selectors.can_record(request.user, candidate, s)
        ],
        "certificate": selectors.awareness_certificate_for(candidate),
        "sensitive": scope_for(request.user, Cap.MEMBER_VIEW_SENSITIVE).covers(candidate.org),
        "may_override": scope_for(request.user, Cap.ADMISSION_DECIDE).covers(candidate.org)
        and allowed,
        "overdue": bool(
            candidate.next_due and candidate.next_due < today and not candidate.is_closed
        ),
        "overrides": candidate.overrides.select_related("actor"),
        "introducers": selectors.introducers_of(candidate),
        "may_replace": may_replace,
        "education_form": _education_form(request, candidate),
        "today": today,
        "receipt_form": _receipt_form(request, candidate),
        "history_form": _history_form(request, candidate),
        "history_overdue": candidate.history_overdue_on(today),
        "votes": selectors.recognition_votes(candidate),
        "votes_allowed": int(
            rule_in_force(
                "recognition.failed_votes_to_upper", on=candidate.escalated_on or today
            ).value
        ),
        "dossier": dossier.entries(request.user, candidate),
    }
    return render(request, "admissions/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def dossier_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """GET: one document of the admission dossier as DOCX. POST: enter it in its issuing body's
    register (numbered), with the signer chosen now."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    candidate = selectors.get_candidate_for(request.user, pk)
    if kind not in dossier.KINDS:
        raise Http404(_("No such document in the admission dossier."))
    if request.method == "POST":
        try:
            document = dossier.dossier_issue(
                actor=request.user,
                candidate=candidate,
                kind=kind,
                signer=request.POST.get("signer", "")[:120],
                signer_title=request.POST.get("signer_title", "")[:60],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(symbol)s was entered in the register of %(org)s.")
                % {"symbol": document.symbol, "org": document.org.name},
            )
        return redirect("admissions:detail", pk=candidate.pk)
    return dossier_download(request.user, candidate, kind)


def dossier_download(user: Any, candidate: Candidate, kind: str) -> HttpResponse:
    """One dossier document as DOCX (the UI and the API); 404 before its step is recorded."""
    from urllib.parse import quote

    from django.core.exceptions import ValidationError

    try:
        data = dossier.dossier_docx(user, candidate, kind)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from exc
    response = HttpResponse(data, content_type=DOCX_TYPE)
    name = f"{kind.replace('_', '-')}-{candidate.pk}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _education_form(request: HttpRequest, candidate: Candidate) -> EducationForm | None:
    """The education level's small form, before the cell's review, for whoever may record it."""
    before_review = candidate.stage in PATH[: PATH.index(Stage.CELL_RESOLUTION)]
    if not before_review or not scope_for(request.user, Cap.MEMBER_CHANGE).covers(candidate.org):
        return None
    return EducationForm(
        user=request.user,
        candidate=candidate,
        initial={"education_level": candidate.education_level},
    )


@login_required
@require_http_methods(["GET", "POST"])
def education(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.get_candidate_for(request.user, pk, write=True)
    form = EducationForm(
        request.POST or None,
        user=request.user,
        candidate=candidate,
        initial={"education_level": candidate.education_level},
    )
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            form.save,
            _("The education level of %(name)s was recorded.") % {"name": candidate.full_name},
        )
        if done is not None:
            return redirect("admissions:detail", pk=candidate.pk)
    return render(request, "admissions/education.html", {"c": candidate, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def replace_introducer(request: HttpRequest, pk: int, introducer_id: int) -> HttpResponse:
    candidate = selectors.get_candidate_for(request.user, pk, write=True)
    introducer = (
        candidate.introducers.select_related("member")
        .filter(pk=introducer_id, member__isnull=False)
        .first()
    )
    if introducer is None:
        raise Http404(_("No such introducer for this candidate."))
    form = ReplaceIntroducerForm(
        request.POST or None,
        user=request.user,
        candidate=candidate,
        introducer=introducer,
        initial={"replaced_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            form.save,
            lambda new: (
                _("%(new)s now introduces %(name)s in place of %(old)s.")
                % {
                    "new": new.member.full_name if new.member else "",
                    "name": candidate.full_name,
                    "old": introducer.member.full_name if introducer.member else "",
                }
            ),
        )
        if done is not None:
            return redirect("admissions:detail", pk=candidate.pk)
    context = {"c": candidate, "form": form, "introducer": introducer}
    return render(request, "admissions/replace_introducer.html", context)


def _receipt_form(request: HttpRequest, candidate: Candidate) -> DecisionReceiptForm | None:
    """The small form for the date the cell received the decision, for whoever may record it."""
    may = candidate.stage == Stage.DECISION and scope_for(request.user, Cap.MEMBER_CHANGE).covers(
        candidate.org
    )
    if not may:
        return None
    return DecisionReceiptForm(
        user=request.user,
        candidate=candidate,
        initial={"received_on": candidate.decision_received_on},
    )


def _history_form(request: HttpRequest, candidate: Candidate) -> MemberHistoryForm | None:
    """The personal history's date, once the ceremony is recorded, for whoever may record it."""
    may = (
        candidate.history_due_on is not None
        and not candidate.is_closed
        and scope_for(request.user, Cap.MEMBER_CHANGE).covers(candidate.org)
    )
    if not may:
        return None
    return MemberHistoryForm(
        user=request.user,
        candidate=candidate,
        initial={
            "declared_on": candidate.history_declared_on,
            "late_reason": candidate.history_late_reason,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The new member's personal history (lý lịch đảng viên) declared after the ceremony."""
    candidate = selectors.get_candidate_for(request.user, pk, write=True, stage=Stage.CEREMONY)
    form = MemberHistoryForm(request.POST or None, user=request.user, candidate=candidate)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            form.save,
            _("The personal history of %(name)s was recorded.") % {"name": candidate.full_name},
        )
        if done is not None:
            return redirect("admissions:detail", pk=candidate.pk)
    return render(request, "admissions/member_history.html", {"c": candidate, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    if stage not in Stage.values:
        raise Http404(_("Unknown step."))
    candidate = selectors.get_candidate_for(request.user, pk, write=True, stage=stage)
    form = StepForm(
        request.POST or None,
        user=request.user,
        candidate=candidate,
        stage=stage,
        initial={"done_on": timezone.localdate()},
    )
    allowed = stage in allowed_stages(candidate)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            form.save,
            _("“%(step)s” was recorded for %(name)s.")
            % {"step": Stage(stage).label, "name": candidate.full_name},
        )
        if done is not None:
            return redirect("admissions:detail", pk=candidate.pk)
    context = {
        "c": candidate,
        "form": form,
        "stage": stage,
        "title": Stage(stage).label,
        "allowed": allowed,
        "may_override": scope_for(request.user, Cap.ADMISSION_DECIDE).covers(candidate.org),
        "vote": _vote_attempt(candidate, stage),
    }
    return render(request, "admissions/step.html", context)


def _vote_attempt(candidate: Candidate, stage: str) -> dict[str, Any] | None:
    """Which of the cell's recognition votes this form records (lần biểu quyết), of how many
    may fail before the upper committee decides, and the votes before it."""
    if stage not in (Stage.RECOGNITION_VOTE, Stage.RECOGNITION_VOTE_FAILED):
        return None
    failed = failed_votes(candidate)
    on = candidate.escalated_on or timezone.localdate()
    allowed = int(rule_in_force("recognition.failed_votes_to_upper", on=on).value)
    return {
        "attempt": len(failed) + 1,
        "allowed": allowed,
        "last": len(failed) + 1 == allowed,
        "over": len(failed) >= allowed,
        "earlier": failed,
    }


@login_required
@require_http_methods(["GET", "POST"])
def decision_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    # The cell's own fact (member.change), like the ceremony that follows it.
    candidate = selectors.get_candidate_for(request.user, pk, write=True, stage=Stage.CEREMONY)
    form = DecisionReceiptForm(request.POST or None, user=request.user, candidate=candidate)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            form.save,
            _("The date the cell received the decision was recorded for %(name)s.")
            % {"name": candidate.full_name},
        )
        if done is not None:
            return redirect("admissions:detail", pk=candidate.pk)
    return render(request, "admissions/receipt.html", {"c": candidate, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def override(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.get_candidate_for(request.user, pk, write=True, stage="override")
    form = OverrideForm(
        request.POST or None,
        user=request.user,
        candidate=candidate,
        initial={"stage": request.GET.get("stage") or next_stage(candidate)},
    )
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request, form, form.save, _("The override was recorded; record the step again.")
        )
        if done is not None:
            return redirect("admissions:detail", pk=candidate.pk)
    return render(request, "admissions/override.html", {"c": candidate, "form": form})
