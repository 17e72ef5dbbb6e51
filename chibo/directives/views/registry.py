"""The register's pages: the lists, a new incoming or outgoing document, one document, its DOCX,
its attachments, and the terms.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.core.web import DOCX_TYPE, form_page, is_htmx, require_page_cap, run_service
from chibo.directives import documents, forms, selectors
from chibo.directives.models import Attachment
from chibo.directives.views.common import _download
from chibo.lib.text import file_name

PAGE_SIZE = 50
TASKS_PAGE = 25


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.DIRECTIVE_VIEW)
    form = forms.SearchForm(request.GET or None)
    flt = selectors.DocumentFilter()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        flt = selectors.DocumentFilter(d["q"], d["date_from"], d["date_to"], d["direction"])
    page = None
    if not form.is_bound or form.is_valid():
        page = Paginator(selectors.document_search(request.user, flt), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    context = {
        "form": form,
        "page": page,
        "may_manage": has_cap(request.user, Cap.DIRECTIVE_MANAGE),
        "may_report": has_cap(request.user, Cap.DIRECTIVE_REPORT),
    }
    if is_htmx(request, "results"):
        return render(request, "directives/_documents.html", context)
    return render(request, "directives/register.html", context)


def _new_document(request: HttpRequest, form_class: type, title: str) -> HttpResponse:
    require_page_cap(request, Cap.DIRECTIVE_MANAGE)
    form = form_class(request.POST or None, request.FILES or None, user=request.user)
    missing_term = None
    duplicate = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)  # a service error takes its field out of cleaned_data
        document = run_service(
            request,
            form,
            form.save,
            lambda row: _("%(symbol)s was entered in the register.") % {"symbol": row.symbol},
        )
        if document is not None:
            return redirect("directives:document", pk=document.pk)
        if (
            form_class is forms.OutgoingForm
            and data.get("org")
            and data.get("issued_on")
            and selectors.term_covering(data["org"], data["issued_on"]) is None
        ):
            missing_term = data["org"]
        duplicate = (
            form_class is forms.IncomingForm
            and not data.get("allow_duplicate")
            and selectors.already_registered(
                data.get("org"), data.get("symbol"), data.get("issued_on")
            )
        )
        if duplicate:
            form.offer_duplicate()
    return form_page(
        request,
        "directives/form.html",
        form,
        title,
        multipart=True,
        missing_term=missing_term,
        duplicate=duplicate,
    )


@login_required
@require_http_methods(["GET", "POST"])
def incoming(request: HttpRequest) -> HttpResponse:
    return _new_document(request, forms.IncomingForm, _("Register an incoming document"))


@login_required
@require_http_methods(["GET", "POST"])
def outgoing(request: HttpRequest) -> HttpResponse:
    return _new_document(request, forms.OutgoingForm, _("Issue an outgoing document"))


@login_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.get_document_for(request.user, pk)
    may_manage = selectors.can_manage(request.user, doc)
    tasks = list(doc.tasks.prefetch_related("assignments__org"))
    links = selectors.links_of(doc)
    compilations = list(selectors.compilations_for(request.user, doc))
    # Link only what the user may open; the rest is named without a link.
    linked = [row.target_id for row in links["out"]] + [row.source_id for row in links["in"]]
    for task in tasks:
        task.document = doc  # the assignments' visibility reads their document's org
    context = {
        "doc": doc,
        "may_manage": may_manage,
        "recipients": doc.recipients.all(),
        "links": links,
        "visible_documents": selectors.visible_document_ids(
            request.user, linked + [c.output_id for c in compilations]
        ),
        "visible_assignments": selectors.visible_assignment_ids(
            request.user, [a for task in tasks for a in task.assignments.all()]
        ),
        "tasks": tasks,
        "periods": selectors.directive_periods(doc),
        "compilations": compilations,
        "compile_form": forms.CompileForm(),
        "has_docx": doc.direction == "out",
    }
    return render(request, "directives/document.html", context)


@login_required
@require_GET
def document_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """An outgoing document in the Party's format (HD 36-HD/VPTW), from the register's data."""
    doc = selectors.get_document_for(request.user, pk)
    if doc.direction != "out":
        raise Http404(_("Only an outgoing document is laid out by the system."))
    audit.record(
        actor=request.user,
        action="directives.download",
        object_type="document",
        object_id=doc.pk,
        data={"file": "docx"},
    )
    return _download(documents.document_docx(doc), file_name(doc.symbol, ext="docx"), DOCX_TYPE)


@login_required
@require_http_methods(["GET", "POST"])
def terms(request: HttpRequest) -> HttpResponse:
    """Committee terms (nhiệm kỳ) of the orgs the user manages; declare one."""
    require_page_cap(request, Cap.DIRECTIVE_MANAGE)
    initial = {k: request.GET[k] for k in ("org", "starts_on") if request.GET.get(k)}
    form = forms.TermForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        term = run_service(
            request,
            form,
            form.save,
            lambda row: (
                _("The term %(term)s of %(org)s was recorded.")
                % {"term": row.name, "org": row.org.name}
            ),
        )
        if term is not None:
            return redirect(f"{reverse('directives:terms')}?org={term.org.code}")
    code = request.GET.get("org") or (request.POST.get("org") or "").strip()
    page = Paginator(selectors.terms_for(request.user, code), TASKS_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "rows": page.object_list,
        "page": page,
        "org_code": code,
        "org_choices": selectors.term_org_choices(request.user),
    }
    return render(request, "directives/terms.html", context)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.get_document_for(request.user, pk)
    if doc.attachment_id is None:
        raise Http404(_("This document has no attached file."))
    file = Attachment.objects.get(pk=doc.attachment_id)
    audit.record(
        actor=request.user,
        action="directives.download",
        object_type="document",
        object_id=doc.pk,
        data={"file": file.name},
    )
    return _download(file.data, file.name, file.content_type)
