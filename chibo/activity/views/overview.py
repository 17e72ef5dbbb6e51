"""The activity overview: a unit's cells, and the cells that missed their meetings."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chibo.activity import selectors, signals
from chibo.activity.models import WarningLevel
from chibo.activity.views.common import _org
from chibo.orgs.models import Org


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    if request.GET.get("unit"):
        return _unit_cells(request, org)
    today = timezone.localdate()

    def compute() -> dict[str, Any]:
        return selectors.overview_counts(request.user, org, today)

    keeper = signals.overview_keeper
    counts = keeper(request.user, org, today, compute) if keeper is not None else compute()
    missing = Paginator(selectors.MissingList(counts["missing"]), MISSING_PER_PAGE).get_page(
        request.GET.get("missing")
    )
    context = {
        "org": org,
        "without_data": counts["without_data"],
        "missing": missing,
        "missing_count": missing.paginator.count,
        "warning_count": counts["warnings"][WarningLevel.WARNING],
        "review_count": counts["warnings"][WarningLevel.REMOVAL_REVIEW],
        "units": selectors.cells_by_unit(org, request.GET.get("page")),
    }
    return render(request, "activity/overview.html", context)


MISSING_PER_PAGE = 50  # cells that skipped meetings named per page of the overview


def _unit_cells(request: HttpRequest, org: Org) -> HttpResponse:
    """All the open cells of one unit of ``org``'s subtree, paged (the overview names 12)."""
    unit = selectors.org_for(request.user, request.GET["unit"])
    if not (org.path <= unit.path < org.path_bound):
        raise Http404(_("No such party organization in your scope."))
    page = selectors.unit_cells(org, unit, request.GET.get("page"))
    return render(request, "activity/unit_cells.html", {"org": org, "unit": unit, "cells": page})
