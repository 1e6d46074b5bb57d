"""Support for the people who use Brygga: local support contacts, e-learning links,
change suggestions (förändringsförslag) and operational news (driftinformation).

None of these rows hold patient data. The help pages themselves are templates in the
repository (see help.py), not rows.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brygga.directory.models import Organisation, Person, Unit

# --- Local support (lokalt verksamhetsstöd) ----------------------------------------------


class SupportContact(models.Model):
    """Who a user of an organisation turns to with questions about Brygga.

    Kept by the organisation's EK administrators (and central administration). A contact
    may be limited to one unit and the units under it, e.g. one hospital's support.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="support_contacts",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support_contacts",
        verbose_name=_("gäller bara enhet"),
        help_text=_(
            "Lämna tomt om kontakten gäller hela organisationen. Väljer du en enhet visas "
            "kontakten bara för användare på den enheten och enheterna under den."
        ),
    )
    name = models.CharField(
        _("namn"),
        max_length=200,
        help_text=_("En funktion eller en person, t.ex. ”Verksamhetsstöd Karolinska Solna”."),
    )
    description = models.CharField(
        _("vad kontakten hjälper till med"),
        max_length=500,
        blank=True,
        help_text=_("T.ex. frågor om Brygga, behörighet, eTjänstekort."),
    )
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    hours = models.CharField(
        _("nås"), max_length=200, blank=True, help_text=_("T.ex. vardagar 8–16.")
    )
    order = models.PositiveSmallIntegerField(
        _("ordning"), default=100, help_text=_("Lägre tal visas först.")
    )

    class Meta:
        ordering = ["organisation__name", "order", "name"]
        verbose_name = _("supportkontakt")
        verbose_name_plural = _("supportkontakter")

    def __str__(self) -> str:
        return self.name


# --- E-learning ---------------------------------------------------------------------------


class Audience(models.TextChoices):
    """Who an e-learning course is for: the three kinds of party in the process."""

    ALL = "all", _("Alla användare")
    INPATIENT = "inpatient", _("Slutenvård")
    PRIMARY_CARE = "primary_care", _("Primärvård och öppen psykiatri")
    MUNICIPALITY = "municipality", _("Kommun")


EXAMPLE_HOSTS = ("example.se", "example.com", "example.org", "example.net")


def is_example_url(url: str) -> bool:
    """True for addresses under the reserved example domains: placeholders, not real links."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == base or host.endswith("." + base) for base in EXAMPLE_HOSTS) or (
        host == "example" or host.endswith(".example")
    )


class ElearningLink(models.Model):
    """A link to an e-learning course, kept by central administration."""

    audience = models.CharField(
        _("målgrupp"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    title = models.CharField(_("kursens namn"), max_length=200)
    url = models.URLField(_("adress"), max_length=500)
    description = models.CharField(_("beskrivning"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(
        _("ordning"), default=100, help_text=_("Lägre tal visas först.")
    )

    class Meta:
        ordering = ["audience", "order", "title"]
        verbose_name = _("e-utbildning")
        verbose_name_plural = _("e-utbildningar")

    def __str__(self) -> str:
        return self.title

    @property
    def is_example(self) -> bool:
        return is_example_url(self.url)


# --- Change suggestions (förändringsförslag) ----------------------------------------------


class SuggestionStatus(models.TextChoices):
    RECEIVED = "received", _("Mottaget")
    UNDER_REVIEW = "under_review", _("Under utredning")
    PLANNED = "planned", _("Planerat")
    DONE = "done", _("Genomfört")
    REJECTED = "rejected", _("Avslaget")


OPEN_SUGGESTION_STATUSES = frozenset(
    {SuggestionStatus.RECEIVED, SuggestionStatus.UNDER_REVIEW, SuggestionStatus.PLANNED}
)


class SuggestionArea(models.TextChoices):
    WORKLIST = "worklist", _("Arbetslistan")
    NOTICES = "notices", _("Meddelanden och kvittenser i ärenden")
    SIP = "sip", _("SIP och fast vårdkontakt")
    DIRECTORY = "directory", _("Behörighet och katalogen (EK)")
    PAYMENT = "payment", _("Betalningsansvar och fakturering")
    REPORTS = "reports", _("Uppföljning och statistik")
    HELP = "help", _("Hjälptexter och utbildning")
    OTHER = "other", _("Annat")


class Suggestion(models.Model):
    """A user's suggestion for a change to Brygga, triaged by central administration."""

    submitted_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("lämnat av")
    )
    # Who they were and for which unit, as it was when they wrote it.
    submitter_name = models.CharField(_("namn"), max_length=200)
    submitter_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enhet"),
    )
    submitter_unit_name = models.CharField(_("enhet"), max_length=200)
    submitter_role = models.CharField(_("roll"), max_length=20)
    area = models.CharField(_("område"), max_length=20, choices=SuggestionArea.choices)
    title = models.CharField(_("rubrik"), max_length=200)
    description = models.TextField(_("förslag"), max_length=5000)
    benefit = models.TextField(_("nytta"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("inlämnat"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.RECEIVED,
    )
    status_changed_at = models.DateTimeField(_("status ändrad"))
    # The latest reply to the submitter (every reply is kept in the updates).
    reply = models.TextField(_("svar"), blank=True)
    replied_at = models.DateTimeField(_("besvarat"), null=True, blank=True)
    # When central administration last told the submitter something, and when the submitter
    # last looked: the difference is the "new answer" signal in their list.
    updated_for_submitter_at = models.DateTimeField(null=True, blank=True)
    seen_by_submitter_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("förändringsförslag")
        verbose_name_plural = _("förändringsförslag")
        indexes = [
            models.Index(fields=["submitted_by", "-submitted_at"]),
            models.Index(fields=["status", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SUGGESTION_STATUSES

    @property
    def has_unseen_update(self) -> bool:
        return self.updated_for_submitter_at is not None and (
            self.seen_by_submitter_at is None
            or self.seen_by_submitter_at < self.updated_for_submitter_at
        )


class SuggestionUpdate(models.Model):
    """One step of a suggestion's history: submitted, a status change and/or a reply."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="updates", verbose_name=_("förslag")
    )
    at = models.DateTimeField(_("tid"))
    by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("av"))
    by_name = models.CharField(_("namn"), max_length=200)
    from_status = models.CharField(
        _("från status"), max_length=20, choices=SuggestionStatus.choices, blank=True
    )
    to_status = models.CharField(_("till status"), max_length=20, choices=SuggestionStatus.choices)
    reply = models.TextField(_("svar"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("händelse för förslag")
        verbose_name_plural = _("händelser för förslag")

    def __str__(self) -> str:
        return f"{self.suggestion_id}: {self.from_status or '–'} → {self.to_status}"

    @property
    def status_changed(self) -> bool:
        return self.from_status != self.to_status


# --- Operational news (driftinformation) --------------------------------------------------


class NewsKind(models.TextChoices):
    DISTURBANCE = "disturbance", _("Driftstörning")
    PLANNED_MAINTENANCE = "planned_maintenance", _("Planerat underhåll")
    INFORMATION = "information", _("Information")


class NewsItemQuerySet(models.QuerySet["NewsItem"]):
    def published(self, at: dt.datetime) -> NewsItemQuerySet:
        """Notices shown at this moment: publication started and not yet expired."""
        return self.filter(publish_from__lte=at, publish_until__gt=at)

    def scheduled(self, at: dt.datetime) -> NewsItemQuerySet:
        return self.filter(publish_from__gt=at)

    def expired(self, at: dt.datetime) -> NewsItemQuerySet:
        return self.filter(publish_until__lte=at)


# Disturbances first, then planned maintenance, then information.
KIND_ORDER = models.Case(
    models.When(kind=NewsKind.DISTURBANCE, then=0),
    models.When(kind=NewsKind.PLANNED_MAINTENANCE, then=1),
    default=2,
    output_field=models.IntegerField(),
)


class NewsItem(models.Model):
    """A notice from central administration, shown on the start pages until it expires.

    It is also shown on the login page, so it is public: it must never hold patient data.
    """

    kind = models.CharField(_("typ"), max_length=30, choices=NewsKind.choices)
    title = models.CharField(_("rubrik"), max_length=200)
    body = models.TextField(_("text"), max_length=3000)
    starts_at = models.DateTimeField(
        _("störningen eller underhållet börjar"), null=True, blank=True
    )
    ends_at = models.DateTimeField(_("störningen eller underhållet slutar"), null=True, blank=True)
    publish_from = models.DateTimeField(_("visas från"))
    publish_until = models.DateTimeField(_("visas till"))
    created_at = models.DateTimeField(_("skapad"))
    created_by_name = models.CharField(_("skapad av"), max_length=200)
    updated_at = models.DateTimeField(_("senast ändrad"))

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_from", "-pk"]
        verbose_name = _("driftinformation")
        verbose_name_plural = _("driftinformation")
        indexes = [models.Index(fields=["publish_until", "publish_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(publish_until__gt=models.F("publish_from")),
                name="news_publish_period",
                violation_error_message=_("”Visas till” måste vara senare än ”visas från”."),
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gte=models.F("starts_at")),
                name="news_event_period",
                violation_error_message=_("Sluttiden kan inte ligga före starttiden."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def state(self, at: dt.datetime) -> str:
        if self.publish_from > at:
            return "upcoming"
        if self.publish_until <= at:
            return "ended"
        return "current"
