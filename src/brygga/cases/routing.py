"""Who a case goes to: the patient's municipality (and district) and listed primary care unit."""

from __future__ import annotations

import datetime as dt

from brygga.directory.models import (
    MUNICIPAL_CARE_TYPES,
    OUTPATIENT_CARE_TYPES,
    CareType,
    Unit,
)
from brygga.patients.models import Patient

from .models import PartyRole


def social_services_units(municipality_code: str, district: str, *, on: dt.date) -> list[Unit]:
    """The social-services unit(s) for a municipality; the district's where it has districts."""
    if not municipality_code:
        return []
    units = Unit.objects.usable(on).filter(
        care_type=CareType.SOCIAL_SERVICES, municipality_code=municipality_code
    )
    with_district = [u for u in units if u.district]
    if with_district:
        matching = [u for u in with_district if district and u.district == district]
        if matching:
            return matching
        # A municipality with districts, and the patient's district unknown or unmatched:
        # the municipality's central unit if it has one, else the user must choose.
        return [u for u in units if not u.district]
    return list(units)


def propose_recipients(patient: Patient, *, on: dt.date) -> list[Unit]:
    recipients = social_services_units(patient.municipality_code, patient.district, on=on)
    listed = patient.listed_unit
    if listed is not None and listed.is_usable(on):
        recipients.append(listed)
    return recipients


def party_role_for(unit: Unit) -> PartyRole | None:
    """The role a unit takes in a case, from its care type."""
    if unit.care_type in OUTPATIENT_CARE_TYPES:
        return PartyRole.PRIMARY_CARE
    if unit.care_type in MUNICIPAL_CARE_TYPES:
        return PartyRole.MUNICIPALITY
    if unit.is_inpatient:
        return PartyRole.INPATIENT
    return None
