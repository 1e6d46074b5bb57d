"""Template tags other templates use to show support: the news banner, the count of new
answers to one's suggestions, and the "help on this step" links on the case screens.

Loaded with ``{% load support %}``. Tags, not a context processor, so that each costs a
query only on the pages that show it.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils import timezone

from .. import access, help, news

register = template.Library()


@register.inclusion_tag("support/includes/news_banner.html", takes_context=True)
def news_banner(context: template.Context) -> dict[str, Any]:
    """The current operational news, on the start pages only (see news.LANDING_PAGES)."""
    request: HttpRequest | None = context.get("request")
    if request is None or not news.is_landing_page(request):
        return {"items": []}
    return {
        "items": news.banner_news(request, timezone.now()),
        "request": request,
        "can_dismiss": request.user.is_authenticated,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def unseen_suggestion_count(context: template.Context) -> int:
    actor = context.get("actor")
    if actor is None:
        return 0
    return access.unseen_suggestion_count(actor)


@register.simple_tag(takes_context=True)
def may_keep_contacts(context: template.Context) -> bool:
    actor = context.get("actor")
    return actor is not None and access.may_keep_contacts(actor)


@register.inclusion_tag("support/includes/step_help.html")
def event_help(event_slug: str) -> dict[str, Any]:
    """The link to the help for the step a case event form records."""
    return {"topic": help.topic_for_event(event_slug or "")}


@register.inclusion_tag("support/includes/step_help.html")
def case_help(case: Any) -> dict[str, Any]:
    """The link to the help for the step a case is at."""
    return {"topic": help.topic_for_state(getattr(case, "state", "")), "case_page": True}


@register.inclusion_tag("support/includes/step_help.html")
def screen_help(url_name: str) -> dict[str, Any]:
    """The link to the help for another case screen (open, retract, patient information)."""
    return {"topic": help.topic_for_screen(url_name or "")}
