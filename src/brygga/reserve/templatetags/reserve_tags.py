"""The case page's reserve-routine section: external recipients and what was sent to them."""

from __future__ import annotations

from typing import Any

from django import template

from brygga.cases.models import Case

from ..external import external_status, lacks_municipality

register = template.Library()


@register.inclusion_tag("reserve/includes/external_section.html", takes_context=True)
def external_recipients(context: Any, case: Case) -> dict[str, Any]:
    actor = context.get("actor")
    unit = actor.unit if actor is not None else None
    return {
        "case": case,
        "statuses": external_status(case, unit),
        "lacks_municipality": case.is_open and lacks_municipality(case),
        "may_act": context.get("is_party", False) and case.is_open,
    }
