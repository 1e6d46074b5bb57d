"""Follow-up views: thin — check the scope, read the filters, run one grouped query, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.cases.deadlines import CaseTimes, DeadlineId, DeadlinePolicy, compute_deadlines
from brygga.cases.presentation import deadline_policy

from .access import Scope, report_scope
from .counting import STOCKHOLM
from .export import deadlines_csv, indicators_csv
from .forms import ReportFilterForm
from .presentation import deadline_page, hidden_text, indicator_page
from .queries import FollowUp, follow_up


def min_count() -> int:
    """Cells based on fewer stays than this are hidden (see counting.suppress)."""
    return int(settings.REPORTS_MIN_CELL_COUNT)


def _deadline_labels(policy: DeadlinePolicy) -> tuple[str, str]:
    """D1's and D2's labels as the worklist words them, for the configured rules."""
    moment = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    labels = {
        d.id: d.label
        for d in compute_deadlines(
            CaseTimes(admitted_at=moment, ready_at=moment, sip_needed=True), policy, now=moment
        )
    }
    return labels[DeadlineId.D1], labels[DeadlineId.D2]


def _prepare(
    request: HttpRequest,
) -> tuple[Scope, ReportFilterForm, FollowUp | None, DeadlinePolicy]:
    actor = request.actor  # type: ignore[attr-defined]
    scope = report_scope(actor)  # 403 for roles that do not follow up
    now = timezone.now()
    form = ReportFilterForm(request.GET, today=now.astimezone(STOCKHOLM).date())
    policy = deadline_policy()
    if not form.is_valid():
        return scope, form, None, policy
    fu = follow_up(
        scope=scope,
        period=form.period,
        care_kind=form.care_kind,
        grouping=form.grouping,
        policy=policy,
        now=now,
        min_count=min_count(),
    )
    return scope, form, fu, policy


def _context(
    form: ReportFilterForm, scope: Scope, fu: FollowUp | None, policy: DeadlinePolicy
) -> dict[str, Any]:
    query = urlencode({name: form[name].value() or "" for name in form.fields})
    d1_label, d2_label = _deadline_labels(policy)
    return {
        "d1_label": d1_label,
        "d2_label": d2_label,
        "policy": policy,
        "form": form,
        "scope": scope,
        "fu": fu,
        "query": query,
        "min_count": min_count(),
        "hidden_text": hidden_text(min_count()),
        "grouping_label": form.grouping_label if form.is_valid() else "",
        "care_kind_label": form.care_kind_label if form.is_valid() else "",
    }


def indicators(request: HttpRequest) -> HttpResponse:
    scope, form, fu, policy = _prepare(request)
    context = _context(form, scope, fu, policy)
    if fu is not None:
        context["page"] = indicator_page(fu, form.grouping_label)
    return render(request, "reports/indicators.html", context)


def deadlines(request: HttpRequest) -> HttpResponse:
    scope, form, fu, policy = _prepare(request)
    context = _context(form, scope, fu, policy)
    if fu is not None:
        context["page"] = deadline_page(
            fu, form.grouping_label, context["d1_label"], context["d2_label"]
        )
    return render(request, "reports/deadlines.html", context)


def _csv(request: HttpRequest, what: str) -> HttpResponse:
    scope, _form, fu, _policy = _prepare(request)
    if fu is None:
        # Bad filters: the page shows why, with the filters to correct.
        view = indicators if what == "utskrivningsklara" else deadlines
        response = view(request)
        response.status_code = 400
        return response
    body = indicators_csv(fu) if what == "utskrivningsklara" else deadlines_csv(fu)
    actor = request.actor  # type: ignore[attr-defined]
    record(
        actor,
        AuditEventType.STATISTICS_EXPORTED,
        details={
            "what": what,
            "period": f"{fu.period.first.iso}–{fu.period.last.iso}",
            "care_kind": fu.care_kind,
            "grouping": fu.grouping,
            "scope": scope.label,
        },
    )
    filename = (
        f"uppfoljning-{what}-{fu.care_kind}-{fu.grouping}-"
        f"{fu.period.first.iso}--{fu.period.last.iso}.csv"
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def indicators_export(request: HttpRequest) -> HttpResponse:
    return _csv(request, "utskrivningsklara")


def deadlines_export(request: HttpRequest) -> HttpResponse:
    return _csv(request, "tidsfrister")
