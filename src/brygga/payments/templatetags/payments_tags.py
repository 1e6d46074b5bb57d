"""Swedish formatting of amounts and days for the payment pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()
NBSP = "\u00a0"


@register.filter
def kr(value: Decimal | int | None) -> str:
    """9300 -> '9 300,00 kr'; None (a year's amount is missing) -> 'belopp saknas'."""
    if value is None:
        return _("belopp saknas")
    whole, _sep, decimals = f"{Decimal(value):,.2f}".partition(".")
    return f"{whole.replace(',', NBSP)},{decimals}{NBSP}kr"


@register.filter
def days_number(value: Decimal | int | None) -> str:
    """2 -> '2'; Decimal('2.50') -> '2,50'."""
    if value is None:
        return ""
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return f"{value:.2f}".replace(".", ",")
    return str(int(value))


@register.filter
def lookup(mapping: dict[str, str], key: str) -> str:
    """A municipality's name from its code, or the code itself."""
    return mapping.get(key, key)
