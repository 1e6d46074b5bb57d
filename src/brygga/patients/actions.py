"""The only writers of patient records."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from brygga.audit.events import AuditEventType
from brygga.audit.log import log_change
from brygga.core.actor import Actor
from brygga.directory.models import Unit

from .environment import only_test_identities
from .identity import PatientIdentity, require_test_identity
from .models import Patient


class PatientExists(ValueError):
    def __init__(self, patient: Patient) -> None:
        super().__init__(_("Det finns redan en patient med det identitetsnumret."))
        self.patient = patient


def snapshot(patient: Patient) -> dict[str, object]:
    """The values kept in the access log; never the address of a protected patient."""
    values: dict[str, object] = {
        "identity_number": patient.identity_number,
        "identity_kind": patient.identity_kind,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "municipality_code": patient.municipality_code,
        "district": patient.district,
        "listed_unit": patient.listed_unit.hsa_id if patient.listed_unit else None,
        "protected_identity": patient.protected_identity,
    }
    if not patient.protected_identity:
        values |= {
            "street_address": patient.street_address,
            "postal_code": patient.postal_code,
            "city": patient.city,
        }
    return values


@transaction.atomic
def register_patient(
    *,
    actor: Actor,
    identity: PatientIdentity,
    given_name: str,
    family_name: str,
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    municipality_code: str = "",
    district: str = "",
    listed_unit: Unit | None = None,
    protected_identity: bool = False,
) -> Patient:
    if only_test_identities():
        # A training environment: raises NotATestIdentity (Swedish message) for real numbers.
        require_test_identity(identity)
    existing = Patient.objects.filter(identity_number=identity.value).first()
    if existing is not None:
        raise PatientExists(existing)
    patient = Patient.objects.create(
        identity_number=identity.value,
        identity_kind=identity.kind,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        street_address=street_address.strip(),
        postal_code=postal_code.replace(" ", ""),
        city=city.strip(),
        municipality_code=municipality_code,
        district=district.strip(),
        listed_unit=listed_unit,
        protected_identity=protected_identity,
    )
    log_change(
        actor,
        AuditEventType.PATIENT_REGISTERED,
        patient,
        before=None,
        after=snapshot(patient),
        patient=patient,
    )
    return patient
