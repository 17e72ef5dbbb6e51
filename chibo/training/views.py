"""Courses and participants, certificates, leaders' posts, and the two gap lists."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chibo.core.roles import Cap
from chibo.core.scoping import has_cap, scope_for
from chibo.core.web import form_page, require_page_cap, run_service
from chibo.members.selectors import audit_list_read, member_detail
from chibo.orgs.selectors import orgs_for
from chibo.training import forms as f
from chibo.training import selectors, services
from chibo.training.models import CourseKind, PostRequirement

# Rows a page: the courses; each of the two lists of who still needs training (one page).
COURSES_PAGE = 25
GAPS_PAGE = 15


def _orgs(user: Any, cap: str) -> list[Any]:
    return list(
        orgs_for(user, cap).filter(closed_on__isnull=True).only("code", "name", "path")[:500]
    )


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_VIEW)
    kind = request.GET.get("kind", "")
    qs = selectors.courses_for(request.user)
    if kind in CourseKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, COURSES_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/index.html",
        {
            "courses": page.object_list,
            "page": page,
            "kind": kind,
            "kinds": CourseKind.choices,
            "may_manage": has_cap(request.user, Cap.TRAINING_MANAGE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.TRAINING_MANAGE)
    form = f.CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        course = run_service(
            request,
            form,
            lambda: services.course_create(actor=request.user, **form.cleaned_data),
            _("The course was created."),
        )
        if course is not None:
            return redirect("training:course", pk=course.pk)
    return form_page(
        request,
        "training/form.html",
        form,
        _("New course"),
        reverse("training:index"),
        org_choices=_orgs(request.user, Cap.TRAINING_MANAGE),
    )


@login_required
@require_GET
def course(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_course_for(request.user, pk)
    rows = list(item.enrolments.select_related("member", "candidate", "org"))
    audit_list_read(
        request.user,
        [r.member for r in rows if r.member is not None],
        {"training": "course", "course": pk},
    )
    return render(
        request,
        "training/course.html",
        {
            "c": item,
            "rows": [(r, selectors.valid_until(r.kind, r.certificate_date)) for r in rows],
            "may_manage": scope_for(request.user, Cap.TRAINING_MANAGE).covers(item.organizer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_course_for(request.user, pk, write=True)
    form = f.EnrolForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            lambda: services.enrol(actor=request.user, course=item, **form.cleaned_data),
            _("The participant was added."),
        )
        if done is not None:
            return redirect("training:course", pk=item.pk)
    return form_page(
        request,
        "training/form.html",
        form,
        _("Add a participant"),
        reverse("training:course", args=[item.pk]),
        subject=item,
    )


@login_required
@require_http_methods(["GET", "POST"])
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.get_enrolment_for(request.user, pk, write=True)
    form = f.CompleteForm(
        request.POST or None,
        initial={
            "completed_on": enrolment.course.ends_on
            if enrolment.course is not None
            else timezone.localdate()
        },
    )
    back = (
        reverse("training:course", args=[enrolment.course_id])
        if enrolment.course_id
        else reverse("training:index")
    )
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            lambda: services.enrolment_complete(
                actor=request.user, enrolment=enrolment, **form.cleaned_data
            ),
            _("Completion was recorded."),
        )
        if done is not None:
            return redirect(back)
    return form_page(
        request,
        "training/form.html",
        form,
        _("Record completion and certificate"),
        back,
        subject=enrolment.full_name,
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_new(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.TRAINING_MANAGE)
    form = f.CertificateForm(
        request.POST or None, user=request.user, initial={"member": request.GET.get("member", "")}
    )
    if request.method == "POST" and form.is_valid():
        row = run_service(
            request,
            form,
            lambda: services.certificate_record(actor=request.user, **form.cleaned_data),
            _("The certificate was recorded."),
        )
        if row is not None:
            assert row.member is not None  # a certificate is recorded for a member
            return redirect("training:member", code=row.member.member_code)
    return form_page(
        request,
        "training/form.html",
        form,
        _("Record an existing certificate"),
        reverse("training:index"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_new(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.TRAINING_MANAGE)
    form = f.PostForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            lambda: services.post_assign(actor=request.user, **form.cleaned_data),
            _("The post was recorded."),
        )
        if done is not None:
            return redirect("training:gaps")
    return form_page(
        request,
        "training/form.html",
        form,
        _("Record a leadership post"),
        reverse("training:gaps"),
        org_choices=_orgs(request.user, Cap.TRAINING_MANAGE),
    )


@login_required
@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    """Leaders below their post's political-theory level; new members without the new-member course."""
    require_page_cap(request, Cap.MEMBER_VIEW)
    today = timezone.localdate()
    # Both lists grow with the org tree: each counted, then GAPS_PAGE rows a page, each list
    # turning its own pages; only the rows shown are audited as read.
    leaders = Paginator(selectors.leaders_lacking_level(request.user, today), GAPS_PAGE).get_page(
        request.GET.get("leaders_page")
    )
    newcomers = Paginator(
        selectors.new_members_without_course(request.user, today), GAPS_PAGE
    ).get_page(request.GET.get("new_page"))
    audit_list_read(
        request.user,
        [g.post.member for g in leaders.object_list] + list(newcomers.object_list),
        {"training": "gaps", "leaders_page": leaders.number, "new_page": newcomers.number},
    )
    return render(
        request,
        "training/gaps.html",
        {
            "leaders": leaders,
            "newcomers": newcomers,
            "today": today,
            "requirements": PostRequirement.objects.all(),
            "may_manage": has_cap(request.user, Cap.TRAINING_MANAGE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def requirements(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_VIEW)
    form = f.RequirementForm(request.POST or None)
    may_manage = services.may_set_requirements(request.user)
    if request.method == "POST":
        if not may_manage:  # as the API: training.manage on the city root
            raise PermissionDenied(
                _("Only the city's organizing staff may change the required levels.")
            )
        if form.is_valid():
            done = run_service(
                request,
                form,
                lambda: services.requirement_set(actor=request.user, **form.cleaned_data),
                _("The required level was saved."),
            )
            if done is not None:
                return redirect("training:requirements")
    return render(
        request,
        "training/requirements.html",
        {
            "form": form,
            "rows": PostRequirement.objects.all(),
            "may_manage": may_manage,
        },
    )


@login_required
@require_GET
def member(request: HttpRequest, code: str) -> HttpResponse:
    person = member_detail(request.user, code)
    return render(
        request,
        "training/member.html",
        {
            "member": person,
            "rows": selectors.certificates_of(person),
            "posts": person.leadership_posts.select_related("org"),
        },
    )
