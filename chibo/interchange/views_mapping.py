"""The mapping step of a web import (issue 23): each column's field, each value's meaning, a profile.

The check (a background task) stored what it found on the job
(``ImportJob.analysis``: header row, columns with their first values and
proposed fields, every distinct value of the vocabulary columns with its
count and proposal). This page shows it as a form; saving stores the
mapping on the job (and, when named, as a profile of the user's org) and
runs the check again with it. The web process never parses the upload.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chibo.interchange import columns as C
from chibo.interchange import jobs, profiles
from chibo.interchange.mapping import VOCAB_FIELDS, Mapping, MappingError
from chibo.interchange.models import ImportJob

LONG_CHOICES = 60


def _how_label(how: str) -> str:
    return {
        "exact": _("same name"),
        "folded": _("without diacritics"),
        "synonym": _("synonym"),
        "sample": _("from its values"),
        "mapped": _("from the mapping"),
        "ignore": _("ignored"),
        "": _("not recognized"),
    }.get(how, how)


def _context(job: ImportJob) -> dict[str, Any]:
    analysis = job.analysis
    fields = [(col.name, col.header, col.required) for col in C.COLUMNS[job.kind]]
    columns = [
        {**col, "index": index, "how_label": _how_label(col["how"])}
        for index, col in enumerate(analysis.get("columns", []))
        if col.get("header")
    ]
    mapped = {col["field"] for col in columns if col["field"]}
    missing = [header for name, header, required in fields if required and name not in mapped]
    value_groups = []
    for name, values in analysis.get("values", {}).items():
        value_groups.append(
            {
                "field": name,
                "header": C.header_of(name),
                "values": [
                    {**v, "index": i, "how_label": _how_label(v["how"])}
                    for i, v in enumerate(values)
                ],
                "choices": analysis.get("choices", {}).get(name, []),
                # A city's hundreds of cells: a text field with suggestions, not a select per value.
                "long": len(analysis.get("choices", {}).get(name, [])) > LONG_CHOICES,
                "truncated": analysis.get("truncated", {}).get(name, False),
            }
        )
    return {
        "job": job,
        "kind_label": job.kind_label,
        "analysis": analysis,
        "fields": fields,
        "columns": columns,
        "missing": missing,
        "value_groups": value_groups,
        "profile_name": job.profile_name,
    }


def _posted_mapping(job: ImportJob, post: Any) -> Mapping:
    analysis = job.analysis
    known = {col.name for col in C.COLUMNS[job.kind]}
    columns: dict[str, str] = {}
    for index, col in enumerate(analysis.get("columns", [])):
        if not col.get("header"):
            continue
        chosen = post.get(f"column-{index}", "")
        columns[col["header"]] = chosen if chosen in known else ""
    values: dict[str, dict[str, str]] = {}
    for name, listed in analysis.get("values", {}).items():
        if name not in VOCAB_FIELDS[job.kind]:
            continue
        allowed = {c["value"] for c in analysis.get("choices", {}).get(name, [])}
        pairs = {}
        for index, value in enumerate(listed):
            chosen = post.get(f"value-{name}-{index}", "")
            if chosen in allowed and chosen != value["raw"]:
                pairs[value["raw"]] = chosen
        if pairs:
            values[name] = pairs
    return Mapping(
        kind=job.kind,
        columns=columns,
        values=values,
        header_row=analysis.get("header_row"),
        header_rows=analysis.get("header_rows") or 1,
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_mapping(request: HttpRequest, pk: str) -> HttpResponse:
    job = jobs.job_for(request.user, pk)
    if not jobs.may_import(request.user, job.kind):
        raise PermissionDenied(_("Your role does not allow this import."))
    if not job.analysis or job.is_running or job.state == ImportJob.State.DONE:
        messages.info(
            request, _("Check the file first: the mapping step shows what the check found.")
        )
        return redirect("interchange:job", pk=job.pk)
    if request.method == "POST":
        mapping = _posted_mapping(job, request.POST)
        name = request.POST.get("profile_name", "").strip()
        try:
            Mapping.from_json(mapping.as_json(), job.kind)  # the same checks as --map
            if name:
                org = profiles.home_org(request.user, job.kind)
                if org is None:
                    raise PermissionDenied(
                        _("You may not save mapping profiles in this organization.")
                    )
                profiles.save(actor=request.user, org=org, name=name, mapping=mapping)
                messages.success(
                    request,
                    _("The mapping was saved as the profile «%(name)s» of %(org)s.")
                    % {"name": name, "org": org.name},
                )
        except (MappingError, ValidationError) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
            return render(request, "interchange/mapping.html", _context(job), status=400)
        jobs.job_set_mapping(actor=request.user, job=job, mapping=mapping, profile_name=name)
        jobs.job_start(actor=request.user, job=job, dry_run=True)
        return redirect("interchange:job", pk=job.pk)
    return render(request, "interchange/mapping.html", _context(job))
