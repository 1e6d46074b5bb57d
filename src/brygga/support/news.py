"""Where operational news is shown, and which notices a visitor has hidden.

The banner is shown on the pages people start from, not on every page: the login page
(staff need to know about a disturbance before they try to log in), each role's start page
(worklist, directory overview, the plain start page) and the support page. On the pages
where work is done (a case, a form) it would only push the work down the screen. Other
apps' start pages join by adding their URL name to ``LANDING_PAGES``.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest

from .models import KIND_ORDER, NewsItem

LANDING_PAGES = frozenset(
    {
        "home",
        "accounts:login",
        "cases:worklist",
        "directory:index",
        "support:index",
    }
)
DISMISSED_KEY = "support_dismissed_news"


def is_landing_page(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in LANDING_PAGES


def dismissed_ids(request: HttpRequest) -> set[int]:
    session = getattr(request, "session", None)
    if session is None:
        return set()
    return {int(pk) for pk in session.get(DISMISSED_KEY, [])}


def dismiss(request: HttpRequest, news: NewsItem) -> None:
    """Hide a notice for the rest of this session (it shows again at the next login)."""
    ids = dismissed_ids(request) | {news.pk}
    request.session[DISMISSED_KEY] = sorted(ids)


def published_news(at: dt.datetime) -> list[NewsItem]:
    """Notices shown now: disturbances first, then planned maintenance, then information."""
    return list(
        NewsItem.objects.published(at).order_by(KIND_ORDER, "starts_at", "-publish_from", "-pk")
    )


def banner_news(request: HttpRequest, at: dt.datetime) -> list[NewsItem]:
    hidden = dismissed_ids(request)
    return [item for item in published_news(at) if item.pk not in hidden]
