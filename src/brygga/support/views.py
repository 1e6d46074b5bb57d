"""Support pages: parse input, ask access, call an action, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brygga.cases.presentation import deadline_policy
from brygga.core.actor import Actor
from brygga.core.form_actions import save_form

from . import access, actions, help, news
from .forms import (
    AnswerSuggestionForm,
    ElearningLinkForm,
    NewsForm,
    SuggestionForm,
    SupportContactForm,
)
from .models import (
    Audience,
    ElearningLink,
    NewsItem,
    SuggestionStatus,
)

PAGE_SIZE = 50
NEWS_ARCHIVE_DAYS = 60


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def _central(request: HttpRequest) -> Actor:
    actor = _actor(request)
    access.require_central_admin(actor)
    return actor


def _contact_keeper(request: HttpRequest) -> Actor:
    actor = _actor(request)
    access.require_contact_keeper(actor)
    return actor


def _post_data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _save_form(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    success: str,
) -> Any:
    """Call the action with the form's data; None (and errors on the form) if it refused."""
    return save_form(
        request, form, save, success=success, refusals=(actions.SupportPermissionError,)
    )


def _confirm_delete(
    request: HttpRequest,
    delete: Callable[[], Any],
    *,
    title: str,
    what: str,
    success: str,
    back: str,
) -> HttpResponse:
    """Ask before deleting; on POST call ``delete()`` and go back to the list ``back``."""
    if request.method == "POST":
        delete()
        messages.success(request, success)
        return redirect(back)
    return render(
        request,
        "support/confirm_delete.html",
        {"title": title, "what": what, "cancel_url": back},
    )


# --- The support page ---------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "support/index.html",
        {
            "contacts": list(access.contacts_for(actor)),
            "organisation": actor.organisation,
            "may_keep_contacts": access.may_keep_contacts(actor),
            "is_central": access.is_central_admin(actor),
            "open_suggestions": access.visible_suggestions(actor)
            .filter(status=SuggestionStatus.RECEIVED)
            .count()
            if access.is_central_admin(actor)
            else 0,
        },
    )


# --- Help ---------------------------------------------------------------------------------


def _help_context(request: HttpRequest) -> dict[str, Any]:
    actor: Actor | None = getattr(request, "actor", None)
    return {
        "policy": deadline_policy(),
        "contacts": list(access.contacts_for(actor)) if actor is not None else [],
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "max_hours": settings.SESSION_ABSOLUTE_LIFETIME // 3600,
    }


@login_not_required
def help_index(request: HttpRequest) -> HttpResponse:
    links = list(ElearningLink.objects.all())
    by_audience = [
        (label, [link for link in links if link.audience == value])
        for value, label in Audience.choices
    ]
    return render(
        request,
        "support/help_index.html",
        _help_context(request)
        | {"groups": help.grouped(), "elearning": [(a, ls) for a, ls in by_audience if ls]},
    )


@login_not_required
def help_topic(request: HttpRequest, slug: str) -> HttpResponse:
    topic = help.topic(slug)
    if topic is None:
        raise Http404
    related = [t for t in (help.topic(s) for s in topic.related) if t is not None]
    return render(
        request,
        "support/help_topic.html",
        _help_context(request) | {"topic": topic, "related": related},
    )


# --- Operational news ---------------------------------------------------------------------


@login_not_required
def news_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "support/news_list.html",
        {
            "current": news.published_news(now),
            "earlier": NewsItem.objects.expired(now)
            .filter(publish_until__gte=now - dt.timedelta(days=NEWS_ARCHIVE_DAYS))
            .order_by("-publish_until"),
            "archive_days": NEWS_ARCHIVE_DAYS,
        },
    )


def news_manage(request: HttpRequest) -> HttpResponse:
    _central(request)
    now = timezone.now()
    page = Paginator(NewsItem.objects.order_by("-publish_from", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    rows = [(item, item.state(now)) for item in page.object_list]
    return render(request, "support/news_manage.html", {"page": page, "rows": rows})


@require_http_methods(["GET", "POST"])
def news_create(request: HttpRequest) -> HttpResponse:
    actor = _central(request)
    form = NewsForm(_post_data(request))
    saved = _save_form(
        request,
        form,
        lambda data: actions.publish_news(actor=actor, now=timezone.now(), **data),
        success=_("Driftinformationen är sparad."),
    )
    if saved is not None:
        return redirect("support:news_manage")
    return render(request, "support/news_form.html", {"form": form, "item": None})


@require_http_methods(["GET", "POST"])
def news_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _central(request)
    item = NewsItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    form = NewsForm(_post_data(request), instance=item)
    saved = _save_form(
        request,
        form,
        lambda data: actions.update_news(actor=actor, news=item, now=timezone.now(), **data),
        success=_("Ändringarna har sparats."),
    )
    if saved is not None:
        return redirect("support:news_manage")
    item.refresh_from_db()
    return render(
        request,
        "support/news_form.html",
        {"form": form, "item": item, "state": item.state(timezone.now())},
    )


@require_POST
def news_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _central(request)
    item = NewsItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    actions.end_news(actor=actor, news=item, now=timezone.now())
    messages.success(
        request, _("”%(title)s” visas inte längre på startsidorna.") % {"title": item.title}
    )
    return redirect("support:news_manage")


@require_POST
def news_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    item = NewsItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    news.dismiss(request, item)
    target = request.POST.get("next", "")
    # Only a path: redirect() would take any other word for a view name and fail (500).
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    messages.info(
        request,
        _(
            "Meddelandet är dolt tills du loggar in nästa gång. "
            "Det finns kvar under Driftinformation."
        ),
    )
    return redirect(target or "home")


# --- Change suggestions -------------------------------------------------------------------


def suggestion_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    suggestions = access.own_suggestions(actor).order_by("-submitted_at", "-pk")
    page = Paginator(suggestions, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(request, "support/suggestion_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def suggestion_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = SuggestionForm(_post_data(request))
    saved = _save_form(
        request,
        form,
        lambda data: actions.submit_suggestion(actor=actor, now=timezone.now(), **data),
        success=_(
            "Tack! Förslaget är skickat till central förvaltning. Du ser svaret och "
            "förslagets status under Mina förslag."
        ),
    )
    if saved is not None:
        return redirect("support:suggestion_detail", pk=saved.pk)
    return render(request, "support/suggestion_form.html", {"form": form})


def suggestion_triage(request: HttpRequest) -> HttpResponse:
    actor = _central(request)
    status = request.GET.get("status", "")
    suggestions = access.visible_suggestions(actor).order_by("-submitted_at", "-pk")
    if status == "open":
        suggestions = suggestions.filter(
            status__in=[
                SuggestionStatus.RECEIVED,
                SuggestionStatus.UNDER_REVIEW,
                SuggestionStatus.PLANNED,
            ]
        )
    elif status in SuggestionStatus.values:
        suggestions = suggestions.filter(status=status)
    else:
        status = ""
    counts = dict(
        access.visible_suggestions(actor)
        .order_by()
        .values_list("status")
        .annotate(n=models.Count("pk"))
        .values_list("status", "n")
    )
    filters: list[tuple[str, Any, int]] = [("", _("Alla"), sum(counts.values()))]
    filters += [(value, label, counts.get(value, 0)) for value, label in SuggestionStatus.choices]
    page = Paginator(suggestions, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "support/suggestion_triage.html",
        {"page": page, "status": status, "filters": filters},
    )


@require_http_methods(["GET", "POST"])
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    suggestion = access.access_suggestion(actor, pk)
    is_central = access.is_central_admin(actor)
    if request.method == "POST" and not is_central:
        raise PermissionDenied
    form = None
    if is_central:
        form = AnswerSuggestionForm(_post_data(request), initial={"status": suggestion.status})
        saved = _save_form(
            request,
            form,
            lambda data: actions.answer_suggestion(
                actor=actor, suggestion=suggestion, now=timezone.now(), **data
            ),
            success=_("Svaret är sparat. Förslagsställaren ser det under Mina förslag."),
        )
        if saved is not None:
            return redirect("support:suggestion_detail", pk=suggestion.pk)
    had_unseen = suggestion.has_unseen_update and access.is_submitter(actor, suggestion)
    actions.mark_suggestion_seen(actor=actor, suggestion=suggestion, now=timezone.now())
    return render(
        request,
        "support/suggestion_detail.html",
        {
            "suggestion": suggestion,
            "updates": suggestion.updates.order_by("at", "pk"),
            "form": form,
            "is_submitter": access.is_submitter(actor, suggestion),
            "had_unseen": had_unseen,
        },
    )


# --- Support contacts ---------------------------------------------------------------------


def contact_list(request: HttpRequest) -> HttpResponse:
    actor = _contact_keeper(request)
    contacts = access.manageable_contacts(actor).select_related("organisation", "unit")
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "support/contact_list.html",
        {"page": page, "is_central": access.is_central_admin(actor)},
    )


@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    actor = _contact_keeper(request)
    form = SupportContactForm(_post_data(request), actor=actor)
    saved = _save_form(
        request,
        form,
        lambda data: actions.create_support_contact(actor=actor, **data),
        success=_("Kontakten är sparad."),
    )
    if saved is not None:
        return redirect("support:contact_list")
    return render(request, "support/contact_form.html", {"form": form, "contact": None})


@require_http_methods(["GET", "POST"])
def contact_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _contact_keeper(request)
    contact = access.access_contact(actor, pk)
    form = SupportContactForm(_post_data(request), instance=contact, actor=actor)
    saved = _save_form(
        request,
        form,
        lambda data: actions.update_support_contact(actor=actor, contact=contact, **data),
        success=_("Ändringarna har sparats."),
    )
    if saved is not None:
        return redirect("support:contact_list")
    contact.refresh_from_db()
    return render(request, "support/contact_form.html", {"form": form, "contact": contact})


@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _contact_keeper(request)
    contact = access.access_contact(actor, pk)
    return _confirm_delete(
        request,
        lambda: actions.delete_support_contact(actor=actor, contact=contact),
        title=_("Ta bort supportkontakt"),
        what=contact.name,
        success=_("Kontakten är borttagen."),
        back="support:contact_list",
    )


# --- E-learning links ---------------------------------------------------------------------


def elearning_list(request: HttpRequest) -> HttpResponse:
    _central(request)
    return render(request, "support/elearning_list.html", {"links": ElearningLink.objects.all()})


@require_http_methods(["GET", "POST"])
def elearning_create(request: HttpRequest) -> HttpResponse:
    actor = _central(request)
    form = ElearningLinkForm(_post_data(request))
    saved = _save_form(
        request,
        form,
        lambda data: actions.create_elearning_link(actor=actor, **data),
        success=_("Länken är sparad."),
    )
    if saved is not None:
        return redirect("support:elearning_list")
    return render(request, "support/elearning_form.html", {"form": form, "link": None})


def _elearning_link(pk: int) -> ElearningLink:
    link = ElearningLink.objects.filter(pk=pk).first()
    if link is None:
        raise Http404
    return link


@require_http_methods(["GET", "POST"])
def elearning_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _central(request)
    link = _elearning_link(pk)
    form = ElearningLinkForm(_post_data(request), instance=link)
    saved = _save_form(
        request,
        form,
        lambda data: actions.update_elearning_link(actor=actor, link=link, **data),
        success=_("Ändringarna har sparats."),
    )
    if saved is not None:
        return redirect("support:elearning_list")
    link.refresh_from_db()
    return render(request, "support/elearning_form.html", {"form": form, "link": link})


@require_http_methods(["GET", "POST"])
def elearning_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _central(request)
    link = _elearning_link(pk)
    return _confirm_delete(
        request,
        lambda: actions.delete_elearning_link(actor=actor, link=link),
        title=_("Ta bort e-utbildning"),
        what=link.title,
        success=_("Länken är borttagen."),
        back="support:elearning_list",
    )
