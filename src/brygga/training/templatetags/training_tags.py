"""Template tags for the training environment: the banner and the trainees on the login page.

``brygga_environment`` and ``training_banner`` read only the settings, never the database,
so they are safe on the error pages too.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from brygga.training.access import is_training

register = template.Library()


@register.simple_tag
def brygga_environment() -> str:
    """demo, training, test or production (BRYGGA_ENVIRONMENT)."""
    return str(settings.ENVIRONMENT)


@register.inclusion_tag("training/includes/banner.html")
def training_banner() -> dict[str, Any]:
    return {"training": is_training()}


@register.inclusion_tag("training/includes/trainee_logins.html", takes_context=True)
def training_logins(context: template.Context) -> dict[str, Any]:
    """On the demo login page of a training environment: one button per trainee."""
    from brygga.directory.models import Person
    from brygga.training.scenario import COURSE_LEADER_HSA_ID, trainees

    request = context.get("request")
    if not is_training():
        return {"training": False}
    return {
        "training": True,
        "trainees": trainees(),
        "course_leader": Person.objects.filter(hsa_id=COURSE_LEADER_HSA_ID).first(),
        "next": request.GET.get("next", "") if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
