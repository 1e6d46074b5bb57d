"""From LDAP entries to the directory rows Brygga wants: pure functions, no database.

Each ``map_*`` function takes one entry as read and returns what the directory should hold
for it, or raises `BadEntry` with a Swedish message: a bad entry is reported and skipped
whole, never saved in part. The mapping, attribute by attribute, is tabled in
docs/directory-sync.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from brygga.directory import rules
from brygga.directory.identifiers import InvalidIdentifier, normalise_org_number, validate_hsa_id
from brygga.directory.models import CareType, OrganisationKind, Role

from .ldapclient import RawEntry, parse_generalized_time

# --- Care types --------------------------------------------------------------------------------
# HSA's vård- och omsorgsform (careType) and verksamhetskod (businessClassificationCode) to
# Brygga's care type. The verksamhetskoder below are the simplified code list of the test
# schema (docs/directory-sync.md); a region maps its own codes here.
OPEN_CARE, INPATIENT_CARE, HOME_HEALTH_CARE, SOCIAL_CARE = "01", "02", "03", "04"
KNOWN_CARE_TYPE_CODES = frozenset({OPEN_CARE, INPATIENT_CARE, HOME_HEALTH_CARE, SOCIAL_CARE})
PSYCHIATRY_CODES = frozenset({"1500"})
PRIMARY_CARE_CODES = frozenset({"1100"})
ADMINISTRATION_CODES = frozenset({"9000"})


def care_type_for(care_type_code: str, business_codes: list[str]) -> str:
    """Brygga's care type for a unit, or "" for a unit that does not use Brygga."""
    codes = set(business_codes)
    if care_type_code == INPATIENT_CARE:
        if codes & PSYCHIATRY_CODES:
            return CareType.INPATIENT_PSYCHIATRIC
        return CareType.INPATIENT_SOMATIC
    if care_type_code == OPEN_CARE:
        if codes & PSYCHIATRY_CODES:
            return CareType.OUTPATIENT_PSYCHIATRY
        if codes & PRIMARY_CARE_CODES:
            return CareType.PRIMARY_CARE
        return ""
    if care_type_code == HOME_HEALTH_CARE:
        return CareType.MUNICIPAL_HEALTH_CARE
    if care_type_code == SOCIAL_CARE:
        return CareType.SOCIAL_SERVICES
    if codes & ADMINISTRATION_CODES:
        return CareType.ADMINISTRATION
    return ""


# --- Commissions -------------------------------------------------------------------------------
CARE_PURPOSE = "Vård och behandling"
# HSA's purposes (hsaCommissionPurpose). Any other value is reported as unknown.
KNOWN_PURPOSES = {
    p.casefold(): p
    for p in (CARE_PURPOSE, "Administration", "Kvalitetssäkring", "Statistik", "Forskning")
}
# Rights meant for Brygga: "<activity>;Brygga;<scope>". A care commission (purpose Vård och
# behandling) without one gives the role Användare; every other role needs its right.
BRYGGA_INFORMATION = "brygga"
RIGHT_ROLES = {
    "användare": Role.USER,
    "chef": Role.MANAGER,
    "ek-administratör": Role.EK_ADMIN,
    "central förvaltning": Role.CENTRAL_ADMIN,
    "fakturering": Role.INVOICING,
}


class BadEntry(Exception):
    """The entry cannot be synced; ``message`` says why, in Swedish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _identifier(entry: RawEntry) -> str:
    try:
        return validate_hsa_id("".join(entry.hsa_id.split()).upper())
    except InvalidIdentifier as error:
        raise BadEntry(
            _("Ogiltigt HSA-id %(value)s: %(reason)s")
            % {"value": entry.hsa_id or _("(saknas)"), "reason": error.message}
        ) from error


def _text(entry: RawEntry, attribute: str, label: str, max_length: int, *, required: bool) -> str:
    value = " ".join(entry.first(attribute).split())
    if required and not value:
        raise BadEntry(
            _("%(label)s saknas (%(attribute)s).") % {"label": label, "attribute": attribute}
        )
    if len(value) > max_length:
        raise BadEntry(
            _("%(label)s är längre än %(max)s tecken (%(attribute)s).")
            % {"label": label, "max": max_length, "attribute": attribute}
        )
    return value


_email = EmailValidator()


def _mail(entry: RawEntry) -> str:
    value = entry.first("mail")
    if not value:
        return ""
    try:
        _email(value)
    except ValidationError as error:
        raise BadEntry(_("Ogiltig e-postadress %(value)s (mail).") % {"value": value}) from error
    return value


def _municipality(entry: RawEntry) -> str:
    value = entry.first("municipalitycode")
    if value and not (len(value) == 4 and value.isascii() and value.isdigit()):
        raise BadEntry(
            _("Kommunkoden %(value)s har inte fyra siffror (municipalityCode).") % {"value": value}
        )
    return value


def _date(entry: RawEntry, attribute: str) -> dt.date | None:
    value = entry.first(attribute)
    if not value:
        return None
    try:
        moment = parse_generalized_time(value)
    except ValueError as error:
        raise BadEntry(
            _("Ogiltigt datum %(value)s (%(attribute)s).")
            % {"value": value, "attribute": attribute}
        ) from error
    return moment.date()


def _period(entry: RawEntry) -> tuple[dt.date | None, dt.date | None]:
    start, end = _date(entry, "startdate"), _date(entry, "enddate")
    if start is not None and end is not None and end < start:
        raise BadEntry(_("Slutdatumet är före startdatumet (startDate/endDate)."))
    return start, end


@dataclass(frozen=True, slots=True)
class DesiredOrganisation:
    hsa_id: str
    org_number: str
    name: str
    kind: str
    municipality_code: str


def organisation_kind(entry: RawEntry, org_number: str) -> str:
    """businessCategory (Region, Kommun, Privat) if given, else read off the number:
    21xxxx are municipalities, 23xxxx regions, everything else private providers."""
    category = entry.first("businesscategory").casefold()
    by_category = {
        "region": OrganisationKind.REGION,
        "kommun": OrganisationKind.MUNICIPALITY,
        "privat": OrganisationKind.PRIVATE,
    }
    if category in by_category:
        return by_category[category]
    if org_number.startswith("21"):
        return OrganisationKind.MUNICIPALITY
    if org_number.startswith("23"):
        return OrganisationKind.REGION
    return OrganisationKind.PRIVATE


def map_provider(entry: RawEntry) -> DesiredOrganisation:
    hsa_id = _identifier(entry)
    try:
        org_number = normalise_org_number("".join(entry.first("orgno").split()))
    except InvalidIdentifier as error:
        raise BadEntry(
            _("Ogiltigt organisationsnummer %(value)s: %(reason)s")
            % {"value": entry.first("orgno") or _("(saknas)"), "reason": error.message}
        ) from error
    name = _text(entry, "o", _("Namnet"), 200, required=False) or _text(
        entry, "ou", _("Namnet"), 200, required=True
    )
    return DesiredOrganisation(
        hsa_id=hsa_id,
        org_number=org_number,
        name=name,
        kind=organisation_kind(entry, org_number),
        municipality_code=_municipality(entry),
    )


@dataclass(frozen=True, slots=True)
class DesiredUnit:
    hsa_id: str
    name: str
    care_type: str
    municipality_code: str
    phone: str
    fax: str
    functional_mailbox: str
    valid_from: dt.date | None  # None: not given in LDAP (kept as it is in Brygga)
    valid_to: dt.date | None
    unknown_care_type: str  # a careType code Brygga does not know ("" if none)


def map_unit(entry: RawEntry) -> DesiredUnit:
    hsa_id = _identifier(entry)
    name = _text(entry, "ou", _("Namnet"), 200, required=False) or _text(
        entry, "cn", _("Namnet"), 200, required=True
    )
    care_type_code = entry.first("caretype")
    valid_from, valid_to = _period(entry)
    return DesiredUnit(
        hsa_id=hsa_id,
        name=name,
        care_type=care_type_for(care_type_code, entry.all("businessclassificationcode")),
        municipality_code=_municipality(entry),
        phone=_text(entry, "telephonenumber", _("Telefonnumret"), 40, required=False),
        fax=_text(entry, "facsimiletelephonenumber", _("Faxnumret"), 40, required=False),
        functional_mailbox=_mail(entry),
        valid_from=valid_from,
        valid_to=valid_to,
        unknown_care_type=(
            care_type_code if care_type_code and care_type_code not in KNOWN_CARE_TYPE_CODES else ""
        ),
    )


@dataclass(frozen=True, slots=True)
class DesiredPerson:
    hsa_id: str
    given_name: str
    family_name: str
    title: str
    email: str
    personnummer: str | None


def map_person(entry: RawEntry, *, today: dt.date) -> DesiredPerson:
    hsa_id = _identifier(entry)
    try:
        personnummer = rules.clean_personnummer(
            entry.first("personalidentitynumber"), today=today, field=None
        )
    except ValidationError as error:
        raise BadEntry(
            _("Ogiltigt personnummer (personalIdentityNumber): %(reason)s")
            % {"reason": " ".join(error.messages)}
        ) from error
    return DesiredPerson(
        hsa_id=hsa_id,
        given_name=_text(entry, "givenname", _("Förnamnet"), 100, required=True),
        family_name=_text(entry, "sn", _("Efternamnet"), 100, required=True),
        title=_text(entry, "title", _("Titeln"), 100, required=False),
        email=_mail(entry),
        personnummer=personnummer,
    )


@dataclass(frozen=True, slots=True)
class DesiredCommission:
    """What one commission entry gives, before its members and unit are looked up."""

    hsa_id: str
    purpose: str
    roles: tuple[str, ...]
    valid_from: dt.date | None
    valid_to: dt.date | None
    member_dns: tuple[str, ...]
    notes: tuple[str, ...]  # unknown purposes and rights: reported, the rest is synced


def map_commission(entry: RawEntry) -> DesiredCommission:
    hsa_id = _identifier(entry)
    notes: list[str] = []
    purposes: list[str] = []
    for value in entry.all("hsacommissionpurpose"):
        known = KNOWN_PURPOSES.get(value.casefold())
        if known is None:
            notes.append(_("Okänt syfte %(purpose)s.") % {"purpose": value})
        elif known not in purposes:
            purposes.append(known)
    if not purposes:
        raise BadEntry(
            _("Uppdraget har inget känt syfte (hsaCommissionPurpose): %(values)s")
            % {"values": ", ".join(entry.all("hsacommissionpurpose")) or _("(saknas)")}
        )
    roles: list[str] = []
    for value in entry.all("hsacommissionright"):
        parts = [part.strip() for part in value.split(";")]
        if len(parts) != 3 or parts[1].casefold() != BRYGGA_INFORMATION:
            continue  # a right for another system: not Brygga's business
        role = RIGHT_ROLES.get(parts[0].casefold())
        if role is None:
            notes.append(_("Okänd rättighet för Brygga %(right)s.") % {"right": value})
        elif role not in roles:
            roles.append(role)
    if not roles and CARE_PURPOSE in purposes:
        roles.append(Role.USER)
    valid_from, valid_to = _period(entry)
    return DesiredCommission(
        hsa_id=hsa_id,
        purpose=CARE_PURPOSE if CARE_PURPOSE in purposes else purposes[0],
        roles=tuple(roles),
        valid_from=valid_from,
        valid_to=valid_to,
        member_dns=tuple(entry.all("hsacommissionmember")),
        notes=tuple(notes),
    )


def commission_key(commission_hsa_id: str, person_hsa_id: str, role: str) -> str:
    return f"{commission_hsa_id}|{person_hsa_id}|{role}"
