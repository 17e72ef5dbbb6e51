"""Import/export pages: upload, preview, check (dry run), confirm, progress, reports, template, export.

Jobs belong to their uploader: another user gets 404. Uploading or running
an import needs the write right for its kind (403 for a read-only role);
export reads through the actor's scope.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chibo.accounts.requests import SignedInRequest
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.core.web import XLSX_TYPE, is_htmx, require_page_cap
from chibo.core.worker import worker_missing
from chibo.interchange import columns as C
from chibo.interchange import export, jobs, profiles, sheets
from chibo.interchange.mapping import MappingError
from chibo.interchange.models import KIND_LABELS, ImportJob
from chibo.interchange.reader import FileRefused
from chibo.lib.text import file_name
from chibo.orgs.selectors import get_org_for, orgs_for

XLSX = XLSX_TYPE


def _job(request: SignedInRequest, pk: str) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk, user=request.user).first()
    if job is None:
        raise Http404(_("No such import."))
    return job


@login_required
@require_GET
def index(request: SignedInRequest) -> HttpResponse:
    require_page_cap(request, Cap.ORG_VIEW)
    kinds = [(kind, label) for kind, label in _kind_labels() if jobs.may_import(request.user, kind)]
    recent = ImportJob.objects.filter(user=request.user)[:10]
    allowed = {kind for kind, _label in kinds}
    labels = dict(_kind_labels())
    offered = [
        {
            "value": f"{p.kind}:{p.org_code}:{p.name}",
            "label": f"{p.name} — {labels[p.kind]}, "
            + (p.org_name or str(_("shipped with chibo"))),
        }
        for p in profiles.visible(request.user)
        if p.kind in allowed
    ]
    orgs = orgs_for(request.user).filter(depth__lte=3).order_by("path")[:500]
    context = {
        "kinds": kinds,
        "profiles": offered,
        "recent": recent,
        "orgs": orgs,
        "worker_missing": bool(kinds) and worker_missing(),
    }
    return render(request, "interchange/index.html", context)


def _kind_labels() -> list[tuple[str, str]]:
    return [(kind, str(KIND_LABELS[kind])) for kind in C.KINDS]


@login_required
@require_POST
def upload(request: SignedInRequest) -> HttpResponse:
    require_page_cap(request, Cap.ORG_VIEW)
    kind = request.POST.get("kind", "")
    if kind not in C.KINDS or not jobs.may_import(request.user, kind):
        raise PermissionDenied(_("Your role does not allow this import."))
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect("interchange:index")
    profile = None
    chosen = request.POST.get("profile", "")
    try:
        if chosen:
            profile_kind, org_code, name = [*chosen.split(":", 2), "", ""][:3]
            profile = profiles.find(request.user, name, profile_kind, org_code)
        job = jobs.job_create(actor=request.user, kind=kind, upload=file, profile=profile)
    except (FileRefused, MappingError) as exc:
        messages.error(request, str(exc))
        return redirect("interchange:index")
    if profile is not None:
        # Issue 23: with a profile there is no mapping step: the check starts at once.
        jobs.job_start(actor=request.user, job=job, dry_run=True)
    return redirect("interchange:job", pk=job.pk)


@login_required
@require_GET
def job_detail(request: SignedInRequest, pk: str) -> HttpResponse:
    # The upload is never parsed here: the background task stored a small preview.
    job = _job(request, pk)
    context = {**_progress(job), **_preview(job), "kind_label": job.kind_label}
    return render(request, "interchange/job.html", context)


def _preview(job: ImportJob) -> dict:
    """The preview partial's context: the job, its first rows with their numbers in the file,
    and whether its reading waits for no worker."""
    rows = job.preview.get("rows") or []
    numbers = job.preview.get("row_numbers") or [None] * len(rows)
    return {
        "job": job,
        "preview_rows": list(zip(numbers, rows, strict=False)),
        "preview_stuck": not job.preview and (job.preview_late or worker_missing()),
    }


@login_required
@require_GET
def job_preview(request: SignedInRequest, pk: str) -> HttpResponse:
    return render(request, "interchange/_preview.html", _preview(_job(request, pk)))


@login_required
@require_GET
def job_progress(request: SignedInRequest, pk: str) -> HttpResponse:
    return render(request, "interchange/_progress.html", _progress(_job(request, pk)))


def _progress(job: ImportJob) -> dict:
    """The progress partial's context: the job, and whether it waits for a worker nobody runs."""
    return {"job": job, "worker_missing": job.is_running and worker_missing()}


@login_required
@require_POST
def job_run(request: SignedInRequest, pk: str) -> HttpResponse:
    job = _job(request, pk)
    action = request.POST.get("action")
    if action == "retry":
        job = jobs.job_retry(actor=request.user, job=job)
    else:
        job = jobs.job_start(actor=request.user, job=job, dry_run=action != "import")
    if is_htmx(request):
        return render(request, "interchange/_progress.html", _progress(job))
    return redirect("interchange:job", pk=job.pk)


@login_required
@require_GET
def job_errors(request: SignedInRequest, pk: str) -> HttpResponse:
    job = _job(request, pk)
    try:
        data = Path(job.report_path).read_bytes()  # built by the check's task
    except OSError as exc:
        raise Http404(_("No error report for this import: run the check again.")) from exc
    response = HttpResponse(data, content_type=XLSX)
    name = file_name("loi nhap", C.SHEET_NAMES[job.kind], ext="xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def template(request: SignedInRequest, kind: str) -> HttpResponse:
    require_page_cap(request, Cap.ORG_VIEW)
    if kind not in C.KINDS:
        raise Http404(_("No such template."))
    response = HttpResponse(sheets.template_xlsx(kind), content_type=XLSX)
    name = file_name("mau nhap", C.SHEET_NAMES[kind], ext="xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def export_view(request: SignedInRequest) -> HttpResponse:
    require_page_cap(request, Cap.ORG_VIEW)
    kind = request.GET.get("kind", C.MEMBERS)
    fmt = request.GET.get("format", "xlsx")
    if kind not in (C.ORGS, C.MEMBERS) or fmt not in ("xlsx", "csv"):
        raise Http404(_("No such export."))
    if kind == C.MEMBERS and not has_cap(request.user, Cap.MEMBER_VIEW):
        raise PermissionDenied(_("Your role does not give access to members' records."))
    code = request.GET.get("org", "").strip()
    root = get_org_for(request.user, code) if code else None
    name = file_name(C.SHEET_NAMES[kind], code, f"{timezone.localdate():%d-%m-%Y}", ext=fmt)
    if fmt == "csv":
        text = io.StringIO()
        text.write("\ufeff")  # BOM: Excel then reads the UTF-8 correctly
        export.export(actor=request.user, kind=kind, root=root, fmt="csv", out=text)
        response = HttpResponse(
            text.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    else:
        data = io.BytesIO()
        export.export(actor=request.user, kind=kind, root=root, fmt="xlsx", out=data)
        response = HttpResponse(data.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
