"""Cases (samordningsärenden), their parties, and the timeline of notices and events.

A case follows one inpatient stay of one patient (kind STAY), or a SIP made outside a
hospital stay (kind SIP). The case row keeps the current state and the times the worklists
and deadlines need; the events are the full history, append-only except for retraction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brygga.core.fields import EventNameField


class CaseKind(models.TextChoices):
    STAY = "stay", _("Vårdtillfälle")
    SIP = "sip", _("SIP utanför sjukhusvistelse")


class CaseState(models.TextChoices):
    ADMITTED = "admitted", _("Inskriven")
    PLANNING = "planning", _("Planering pågår")
    READY = "ready", _("Utskrivningsklar")
    DISCHARGED = "discharged", _("Utskriven")
    SIP_ONGOING = "sip_ongoing", _("SIP pågår")
    CLOSED = "closed", _("Avslutad")
    CANCELLED = "cancelled", _("Avbruten")


OPEN_STATES = frozenset(
    {
        CaseState.ADMITTED,
        CaseState.PLANNING,
        CaseState.READY,
        CaseState.DISCHARGED,
        CaseState.SIP_ONGOING,
    }
)


class CareKind(models.TextChoices):
    SOMATIC = "somatic", _("Somatisk vård")
    PSYCHIATRIC = "psychiatric", _("Psykiatrisk vård")


class PartyRole(models.TextChoices):
    INPATIENT = "inpatient", _("Slutenvård")
    PRIMARY_CARE = "primary_care", _("Öppenvård")
    MUNICIPALITY = "municipality", _("Kommun")


class Destination(models.TextChoices):
    HOME = "home", _("Hemmet")
    SPECIAL_HOUSING = "special_housing", _("Särskilt boende")
    SHORT_TERM = "short_term", _("Korttidsboende")
    OTHER_REGION = "other_region", _("Annan region")
    DECEASED = "deceased", _("Avliden")
    OTHER = "other", _("Annat")


class Case(models.Model):
    kind = models.CharField(
        _("typ"), max_length=10, choices=CaseKind.choices, default=CaseKind.STAY
    )
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("patient"),
    )
    state = models.CharField(
        _("status"), max_length=20, choices=CaseState.choices, default=CaseState.ADMITTED
    )
    care_kind = models.CharField(_("vårdform"), max_length=20, choices=CareKind.choices)
    compulsory_care = models.BooleanField(_("vård enligt LPT/LRV"), default=False)
    admitted_at = models.DateTimeField(_("inskriven"))
    assessed_at = models.DateTimeField(_("läkarens bedömning"), null=True, blank=True)
    expected_discharge_on = models.DateField(_("beräknat utskrivningsdatum"), null=True, blank=True)
    admission_notice_at = models.DateTimeField(
        _("inskrivningsmeddelande skickat"), null=True, blank=True
    )
    ready_at = models.DateTimeField(_("utskrivningsklar"), null=True, blank=True)
    sip_needed = models.BooleanField(_("behov av SIP"), default=False)
    sip_called_at = models.DateTimeField(_("kallelse till SIP skickad"), null=True, blank=True)
    fast_vardkontakt = models.CharField(_("fast vårdkontakt"), max_length=200, blank=True)
    fast_vardkontakt_at = models.DateTimeField(_("fast vårdkontakt utsedd"), null=True, blank=True)
    planning_information_at = models.DateTimeField(
        _("första planeringsunderlaget skickat"), null=True, blank=True
    )
    on_leave = models.BooleanField(_("på permission"), default=False)
    discharged_at = models.DateTimeField(_("utskriven"), null=True, blank=True)
    destination = models.CharField(
        _("utskriven till"), max_length=20, choices=Destination.choices, blank=True
    )
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    cancel_reason = models.CharField(_("orsak till avbrott"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_event_at = models.DateTimeField(_("senaste händelse"), null=True, blank=True)
    # Optimistic locking: every state change bumps the version; a change based on an older
    # version is refused so two users never overwrite each other.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-admitted_at"]
        verbose_name = _("ärende")
        verbose_name_plural = _("ärenden")
        indexes = [models.Index(fields=["state", "admitted_at"])]

    def __str__(self) -> str:
        return f"Ärende {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CaseParty(models.Model):
    """A unit taking part in a case. A unit that stops being a party keeps read access."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="case_parties"
    )
    role = models.CharField(_("roll"), max_length=20, choices=PartyRole.choices)
    active = models.BooleanField(_("aktiv part"), default=True)
    joined_at = models.DateTimeField(_("part sedan"))
    left_at = models.DateTimeField(_("part till"), null=True, blank=True)
    left_reason = models.CharField(_("varför parten lämnade"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("part i ärende")
        verbose_name_plural = _("parter i ärende")
        constraints = [
            models.UniqueConstraint(fields=["case", "unit", "role"], name="case_party_unique")
        ]
        indexes = [
            models.Index(fields=["unit", "active"]),
            # The worklists: a unit's current cases.
            models.Index(
                fields=["unit", "case"], condition=Q(active=True), name="case_party_active_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"


class CaseEventType(models.TextChoices):
    CASE_OPENED = "case_opened", _("Ärendet öppnat")
    ADMISSION_NOTICE = "admission_notice", _("Inskrivningsmeddelande")
    EXPECTED_DATE_CHANGED = "expected_date_changed", _("Ändrat beräknat utskrivningsdatum")
    PLANNING_INFORMATION = "planning_information", _("Planeringsunderlag")
    MESSAGE = "message", _("Meddelande")
    FAST_VARDKONTAKT = "fast_vardkontakt", _("Fast vårdkontakt utsedd")
    READY = "ready", _("Utskrivningsklar")
    READY_WITHDRAWN = "ready_withdrawn", _("Återtagande av utskrivningsklar")
    SIP_CALLED = "sip_called", _("Kallelse till SIP")
    SIP_HELD = "sip_held", _("SIP-möte hållet")
    SIP_FOLLOWED_UP = "sip_followed_up", _("SIP uppföljd")
    DISCHARGE_NOTICE = "discharge_notice", _("Utskrivningsmeddelande")
    REJECTED = "rejected", _("Avvisning")
    TRANSFERRED = "transferred", _("Flytt till annan vårdenhet")
    LEAVE_STARTED = "leave_started", _("Permission påbörjad")
    LEAVE_ENDED = "leave_ended", _("Permission avslutad")
    CANCELLED = "cancelled", _("Avbrott")
    CLOSED = "closed", _("Ärendet avslutat")
    # Written by brygga.cases.reorganisation when central administration carries out a
    # reorganisation; never recorded by a party.
    UNIT_REORGANISED = "unit_reorganised", _("Flyttat vid omorganisation")


class CaseEvent(models.Model):
    """One notice or event in a case's timeline, with its structured content and free text."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    type = EventNameField(_("händelse"), max_length=30, choices=CaseEventType.choices)
    recorded_at = models.DateTimeField(_("registrerad"))
    effective_at = models.DateTimeField(_("tidpunkt"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    author_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+", null=True
    )
    author_name = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    text = models.TextField(_("fritext"), blank=True)
    # Handled on paper during an outage and entered afterwards (efterregistrering):
    # effective_at is the original time, recorded_at and author say when and by whom it was
    # entered.
    back_registered = models.BooleanField(_("efterregistrerad"), default=False)
    idempotency_key = models.CharField(max_length=64, blank=True)
    retracted_at = models.DateTimeField(_("makulerad"), null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    retraction_reason = models.CharField(_("orsak till makulering"), max_length=500, blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="case_event_idempotency",
            )
        ]
        indexes = [models.Index(fields=["case", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.case_id})"

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None


class NoticeRecipient(models.Model):
    """A unit a notice was sent to, and whether it has acknowledged (kvitterat) it."""

    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("kvitterad"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("mottagare")
        verbose_name_plural = _("mottagare")
        constraints = [
            models.UniqueConstraint(fields=["event", "unit"], name="notice_recipient_unique")
        ]
        indexes = [models.Index(fields=["unit", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.unit} – {self.event}"
