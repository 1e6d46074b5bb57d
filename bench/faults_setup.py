"""Run by bench/faults.py inside Django (DATABASE_URL set): choose the load's users and
cases in the loaded demo region and give each user a logged-in session.

Sessions are created server-side, the way a login does it (start_session and
choose_commission: the LOGIN and COMMISSION_CHOSEN rows are written), so the load runs
against a production-mode server that offers no demo login. Prints JSON on stdout.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

# What each party records in its cases: repeatable notices, and one-shot state changes.
REPEATABLE = {
    "inpatient": ["meddelande", "planeringsunderlag"],
    "primary_care": ["meddelande", "fast-vardkontakt"],
    "municipality": ["meddelande"],
}
ONE_SHOT_BY_STATE = {
    ("inpatient", "admitted"): "inskrivningsmeddelande",
    ("inpatient", "planning"): "utskrivningsklar",
}


def choose(clients: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils import timezone

    from brygga.accounts.session import choose_commission, start_session
    from brygga.cases.access import CARE_ROLES
    from brygga.cases.models import CaseParty
    from brygga.directory.models import Commission

    open_states = ["admitted", "planning", "ready", "discharged"]
    parties = (
        CaseParty.objects.filter(active=True, case__kind="stay", case__state__in=open_states)
        .select_related("case", "unit")
        .order_by("case_id")
    )
    by_unit: dict[int, list[CaseParty]] = {}
    for party in parties:
        by_unit.setdefault(party.unit_id, []).append(party)
    today = timezone.localdate()
    candidates: dict[str, list[tuple[Commission, list[CaseParty]]]] = {}
    for unit_id, unit_parties in by_unit.items():
        commission = (
            Commission.objects.valid(today)
            .filter(unit_id=unit_id, role__in=CARE_ROLES, person__is_active=True)
            .select_related("person", "unit")
            .order_by("pk")
            .first()
        )
        if commission is not None:
            role = str(unit_parties[0].role)
            candidates.setdefault(role, []).append((commission, unit_parties))
    for role_list in candidates.values():
        role_list.sort(key=lambda item: -len(item[1]))
    # Round-robin over the three parties, busiest units first.
    chosen: list[tuple[str, Commission, list[CaseParty]]] = []
    index = 0
    while len(chosen) < clients and any(index < len(v) for v in candidates.values()):
        for role in ("inpatient", "primary_care", "municipality"):
            if index < len(candidates.get(role, [])) and len(chosen) < clients:
                commission, unit_parties = candidates[role][index]
                chosen.append((role, commission, unit_parties))
        index += 1

    factory = RequestFactory()
    out = []
    for role, commission, unit_parties in chosen:
        request = factory.get("/")
        SessionMiddleware(lambda r: HttpResponse()).process_request(request)
        request.user = AnonymousUser()
        start_session(request, commission.person, method="bench-faults")
        choose_commission(request, commission.person, commission)
        request.session.save()
        tasks = []
        for party in unit_parties:
            one_shot = ONE_SHOT_BY_STATE.get((role, party.case.state))
            if one_shot:
                tasks.append({"case": party.case_id, "slug": one_shot, "once": True})
            for slug in REPEATABLE[role]:
                state = party.case.state
                if slug == "fast-vardkontakt" and state not in ("planning", "ready"):
                    continue
                if slug == "planeringsunderlag" and state == "admitted" and not one_shot:
                    continue
                tasks.append({"case": party.case_id, "slug": slug, "once": False})
        out.append(
            {
                "name": f"{role}:{commission.unit.name}",
                "role": role,
                "person": commission.person.hsa_id,
                "session_key": request.session.session_key,
                "tasks": tasks,
            }
        )
    return {"clients": out}


if __name__ == "__main__":
    print(json.dumps(choose(int(sys.argv[1]) if len(sys.argv) > 1 else 6)))
