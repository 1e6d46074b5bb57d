"""Orders (beställningar): units and reorganisations, and personal access (behörighet).

The old system took these on paper forms sent to a service desk or an EK administrator
(DOMAIN.md §6). Here an order is a row with a status and a history of steps. A manager
orders and attests; central administration approves unit orders; the organisation's EK
administrator (or central administration, for providers without one) registers access
orders. Every step goes through `actions.py`, which writes the step and the audit row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brygga.directory.identifiers import hsa_id_validator
from brygga.directory.models import CareType, Role


class OrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Inskickad")
    APPROVED = "approved", _("Godkänd och genomförd")
    REGISTERED = "registered", _("Registrerad")
    REJECTED = "rejected", _("Avslagen")
    CANCELLED = "cancelled", _("Återkallad")


OPEN_ORDER_STATES = frozenset({OrderStatus.SUBMITTED})


class UnitOrderKind(models.TextChoices):
    NEW = "new", _("Ny enhet")
    RENAME = "rename", _("Namnbyte")
    MERGE = "merge", _("Sammanslagning")
    SPLIT = "split", _("Delning")
    REMOVAL = "removal", _("Borttagning")


# Care types a manager may order a unit for: region-financed outpatient care, the units the
# seed page's order form is for. Other units are registered by their EK administrators.
ORDERABLE_CARE_TYPES = (CareType.PRIMARY_CARE, CareType.OUTPATIENT_PSYCHIATRY)


class Attestation(models.Model):
    """Who ordered, for which unit, and what they attested to, when."""

    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("beställd av"),
    )
    ordering_unit = models.ForeignKey(
        "directory.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("beställande enhet"),
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    ordered_at = models.DateTimeField(_("beställd"))
    attestation = models.TextField(_("intygande"))
    comment = models.TextField(_("övrigt"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("handlagd av"),
    )
    decided_at = models.DateTimeField(_("handlagd"), null=True, blank=True)
    decision_note = models.TextField(_("orsak eller kommentar"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ORDER_STATES


class UnitOrder(Attestation):
    """An order for a new unit, a reorganisation (rename, merge, split) or a removal."""

    kind = models.CharField(_("typ av beställning"), max_length=20, choices=UnitOrderKind.choices)
    # Rename, split, removal: the one unit; merge: the units merged (two or more).
    units = models.ManyToManyField(
        "directory.Unit", related_name="+", blank=True, verbose_name=_("berörda enheter")
    )
    new_name = models.CharField(_("nytt namn"), max_length=200, blank=True)
    # Merge into one of the merged units, which continues (else into a new unit).
    continuing_unit = models.ForeignKey(
        "directory.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("enhet som fortsätter"),
    )
    start_on = models.DateField(_("önskat startdatum"), null=True, blank=True)
    move_commissions = models.BooleanField(_("medarbetaruppdragen flyttas med"), default=True)

    class Meta:
        ordering = ["-ordered_at", "-pk"]
        verbose_name = _("enhetsbeställning")
        verbose_name_plural = _("enhetsbeställningar")
        indexes = [models.Index(fields=["status", "ordered_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class ProposedUnit(models.Model):
    """A unit a new-unit, merge or split order asks to be created."""

    order = models.ForeignKey(UnitOrder, on_delete=models.CASCADE, related_name="proposed_units")
    position = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(_("namn"), max_length=200)
    hsa_id = models.CharField(_("HSA-id"), max_length=31, validators=[hsa_id_validator])
    care_type = models.CharField(
        _("vårdtyp i Brygga"), max_length=30, choices=CareType.choices, blank=True
    )
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True)
    district = models.CharField(_("stadsdel/distrikt"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    functional_mailbox = models.EmailField(_("funktionsbrevlåda"), blank=True)
    takes_over_cases = models.BooleanField(_("tar över pågående ärenden"), default=False)
    created_unit = models.ForeignKey(
        "directory.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("upplagd enhet"),
    )

    class Meta:
        ordering = ["order", "position"]
        verbose_name = _("ny enhet i beställning")
        verbose_name_plural = _("nya enheter i beställning")

    def __str__(self) -> str:
        return f"{self.name} ({self.hsa_id})"


class AccessOrderKind(models.TextChoices):
    GRANT = "grant", _("Beställning av behörighet")
    REVOKE = "revoke", _("Avbeställning av behörighet")


class AccessOrder(Attestation):
    """A manager's order (or cancellation) of personal access at their unit.

    The access lands as a medarbetaruppdrag (Commission) at ``ordering_unit``. For a new
    person the order carries the details the EK administrator needs to register them.
    """

    kind = models.CharField(_("typ"), max_length=10, choices=AccessOrderKind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("person"),
    )
    # A person not yet in the directory (grant only).
    given_name = models.CharField(_("förnamn"), max_length=100, blank=True)
    family_name = models.CharField(_("efternamn"), max_length=100, blank=True)
    personnummer = models.CharField(_("personnummer"), max_length=12, blank=True)
    hsa_id = models.CharField(_("HSA-id"), max_length=31, blank=True)
    title = models.CharField(_("titel"), max_length=100, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices, default=Role.USER)
    valid_from = models.DateField(_("från och med"), null=True, blank=True)
    valid_to = models.DateField(_("till och med"), null=True, blank=True)
    # Revoke: the commission to end and its last day; grant: the commission registered.
    commission = models.ForeignKey(
        "directory.Commission",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("medarbetaruppdrag"),
    )

    class Meta:
        ordering = ["-ordered_at", "-pk"]
        verbose_name = _("behörighetsbeställning")
        verbose_name_plural = _("behörighetsbeställningar")
        indexes = [
            models.Index(fields=["status", "organisation"]),
            models.Index(fields=["ordering_unit", "ordered_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def person_name(self) -> str:
        if self.person is not None:
            return self.person.full_name
        return f"{self.given_name} {self.family_name}".strip()


class StepKind(models.TextChoices):
    SUBMITTED = "submitted", _("Beställningen skickades")
    APPROVED = "approved", _("Beställningen godkändes och genomfördes")
    REGISTERED = "registered", _("Behörigheten registrerades")
    REJECTED = "rejected", _("Beställningen avslogs")
    CANCELLED = "cancelled", _("Beställningen återkallades")


class OrderStep(models.Model):
    """One step in an order's history: who did what, when, acting for which unit."""

    unit_order = models.ForeignKey(
        UnitOrder, on_delete=models.CASCADE, related_name="steps", null=True, blank=True
    )
    access_order = models.ForeignKey(
        AccessOrder, on_delete=models.CASCADE, related_name="steps", null=True, blank=True
    )
    kind = models.CharField(_("steg"), max_length=20, choices=StepKind.choices)
    at = models.DateTimeField(_("tidpunkt"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    person_name = models.CharField(max_length=200)
    unit_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("steg i beställning")
        verbose_name_plural = _("steg i beställningar")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit_order__isnull=False) & Q(access_order__isnull=True))
                | (Q(unit_order__isnull=True) & Q(access_order__isnull=False)),
                name="order_step_one_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role
