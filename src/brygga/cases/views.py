from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from brygga.audit.events import AuditEventType
from brygga.audit.log import log_patient_read
from brygga.core.actor import Actor

from .access import CARE_ROLES, access_case
from .worklist import Worklist


def worklist(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not actor.has_role(*CARE_ROLES):
        raise PermissionDenied
    worklist = Worklist.for_actor(
        actor, state=request.GET.get("status", ""), sort=request.GET.get("sortera", "")
    )
    log_patient_read(
        actor,
        AuditEventType.PATIENT_LISTED,
        [c.patient for c in worklist.cases],
        what="arbetslista",
    )
    return render(request, "cases/worklist.html", {"worklist": worklist})


def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    case = access_case(actor, case_id)
    log_patient_read(actor, AuditEventType.CASE_VIEWED, [case.patient], what="ärende", obj=case)
    parties = case.parties.select_related("unit").order_by("role", "joined_at")
    return render(request, "cases/case_detail.html", {"case": case, "parties": parties})
