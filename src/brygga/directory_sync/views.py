"""Central administration's view of the directory sync: the runs and each run's report."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from brygga.core.actor import Actor

from . import access
from .actions import incremental_start
from .models import MessageLevel, RunStatus, SyncRun

PAGE_SIZE = 50
PAGE_PARAM = "sida"


def run_list(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    access.require_run_viewer(actor)
    runs = SyncRun.objects.all()
    last_success = runs.filter(status=RunStatus.SUCCEEDED).first()
    return render(
        request,
        "directory_sync/run_list.html",
        {
            "page": Paginator(runs, PAGE_SIZE).get_page(request.GET.get(PAGE_PARAM)),
            "configured": bool(settings.LDAP_URL),
            "server": settings.LDAP_URL,
            "base_dns": settings.LDAP_BASE_DNS,
            "schedule": settings.DIRECTORY_SYNC_SCHEDULE,
            "last_success": last_success,
            "next_since": incremental_start(),
        },
    )


def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    run = access.access_run(actor, run_id)
    level = request.GET.get("niva", "")
    messages = run.messages.all()
    if level in MessageLevel.values:
        messages = messages.filter(level=level)
    counts = {value: run.messages.filter(level=value).count() for value in MessageLevel.values}
    return render(
        request,
        "directory_sync/run_detail.html",
        {
            "run": run,
            "level": level,
            "levels": MessageLevel.choices,
            "level_counts": counts,
            "page": Paginator(messages, PAGE_SIZE).get_page(request.GET.get(PAGE_PARAM)),
        },
    )
