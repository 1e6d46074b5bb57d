"""Numbers as Swedish readers write them: 76 822, 2,8, 90,2 %."""

from __future__ import annotations

from django import template

from brygga.reports import presentation

register = template.Library()


@register.filter
def sv_int(value: int | None) -> str:
    return presentation.integer(int(value or 0))


@register.filter
def sv_decimal(value: float | None) -> str:
    return presentation.decimal(value)


@register.filter
def sv_percent(value: float | None) -> str:
    return presentation.percent(value)
