"""Markers for views that may be used without a chosen commission."""

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


def commission_not_required(view: F) -> F:
    view.commission_not_required = True  # type: ignore[attr-defined]
    return view
