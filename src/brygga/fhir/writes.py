"""What an EHR may write: open a case (POST Encounter), send notices (POST Task), send a
message (POST Communication), and change a stay (PUT Encounter with If-Match).

Each request is parsed strictly against FHIR R4, translated to the case actions' arguments
and handed to the action; refusals come back as OperationOutcome.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from django.http import Http404, HttpRequest
from django.utils import timezone

from brygga.audit.log import log_search
from brygga.cases import actions as case_actions
from brygga.cases import payloads as p
from brygga.cases.access import access_case
from brygga.cases.models import CareKind, Case, CaseEvent, CaseEventType, CaseKind, Destination
from brygga.cases.routing import propose_recipients
from brygga.core.checks import UserFacingError
from brygga.directory.models import Unit
from brygga.patients.actions import PatientExists, register_patient
from brygga.patients.identity import IdentityKind, PatientIdentity, parse_identity
from brygga.patients.models import Patient

from . import actions, systems, validation
from .api import ClientRequest, if_match_version, read_json
from .errors import ApiError
from .models import SCOPE_WRITE, EncounterIdentifier
from .resources.task import event_type_of, payload_from_inputs

SYSTEM_KINDS = {
    systems.PERSONNUMMER: {IdentityKind.PERSONNUMMER},
    systems.SAMORDNINGSNUMMER: {IdentityKind.SAMORDNINGSNUMMER},
    systems.RESERVNUMMER: {IdentityKind.RESERVNUMMER_SLL, IdentityKind.RESERVNUMMER_NATIONAL},
}


@dataclass(frozen=True)
class Written:
    """The outcome of a write: the row and whether this request created it."""

    row: Any
    created: bool


def invalid(sv: str, en: str, status: int = 422) -> ApiError:
    return ApiError(status, "invalid-input", "invalid", {"sv": sv, "en": en})


def _moment(value: Any, what: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise invalid(f"{what} har fel format.", f"{what} is malformed.") from error
    if moment.tzinfo is None:
        raise invalid(f"{what} måste ha tidszon.", f"{what} needs a time zone.")
    return moment


def _extension(resource: dict[str, Any], url: str) -> list[dict[str, Any]]:
    return [e for e in resource.get("extension") or [] if e.get("url") == url]


def _none_exist_identifier(request: HttpRequest) -> tuple[str, str] | None:
    header = request.headers.get("If-None-Exist", "").strip()
    if not header:
        return None
    query = parse_qs(header)
    values = query.get("identifier") or []
    if set(query) != {"identifier"} or len(values) != 1 or "|" not in values[0]:
        raise invalid(
            "If-None-Exist stöds med identifier=system|värde.",
            "If-None-Exist is supported as identifier=system|value.",
            400,
        )
    system, value = values[0].split("|", 1)
    return system, value


def _body_identifier(resource: dict[str, Any]) -> tuple[str, str] | None:
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") and identifier.get("value"):
            return str(identifier["system"]), str(identifier["value"])
    return None


# --- Patients -----------------------------------------------------------------------------


def _identity(identifier: dict[str, Any]) -> PatientIdentity:
    system, value = identifier.get("system"), str(identifier.get("value") or "")
    if system not in SYSTEM_KINDS:
        raise invalid(
            "Patientens identifierare ska ha systemet för personnummer, samordningsnummer "
            "eller reservnummer.",
            "The patient identifier must use the personnummer, samordningsnummer or "
            "reservnummer system.",
        )
    try:
        identity = parse_identity(value, today=timezone.localdate())
    except UserFacingError as error:
        raise invalid(str(error.message), "The patient's identity number is invalid.") from error
    if identity.kind not in SYSTEM_KINDS[system]:
        raise invalid(
            f"Numret är ett {identity.kind.label} men systemet säger något annat.",
            "The number's kind does not match its identifier system.",
        )
    return identity


def _contained(resource: dict[str, Any], reference: str) -> dict[str, Any] | None:
    wanted = reference.removeprefix("#")
    for item in resource.get("contained") or []:
        if item.get("resourceType") == "Patient" and item.get("id") == wanted:
            return dict(item)
    return None


def _register(client: ClientRequest, identity: PatientIdentity, data: dict[str, Any]) -> Patient:
    names = data.get("name") or [{}]
    family = str(names[0].get("family") or "")
    given = " ".join(names[0].get("given") or [])
    if not family or not given:
        raise invalid(
            "Patienten finns inte i Brygga: skicka förnamn och efternamn i den inbäddade "
            "Patient-resursen.",
            "The patient is not in Brygga: send given and family name in the contained Patient.",
        )
    address = (data.get("address") or [{}])[0]
    municipality = next(
        (e.get("valueCode", "") for e in _extension(address, systems.EXT_MUNICIPALITY)), ""
    )
    listed: Unit | None = None
    for practitioner in data.get("generalPractitioner") or []:
        hsa = (practitioner.get("identifier") or {}).get("value")
        listed = Unit.objects.filter(hsa_id=hsa).first() if hsa else None
    security = (data.get("meta") or {}).get("security") or []
    protected = any(
        s.get("system") == systems.CONFIDENTIALITY and s.get("code") in {"R", "V"} for s in security
    )
    try:
        return register_patient(
            actor=client.actor,
            identity=identity,
            given_name=given,
            family_name=family,
            street_address=" ".join(address.get("line") or []),
            postal_code=str(address.get("postalCode") or ""),
            city=str(address.get("city") or ""),
            municipality_code=str(municipality),
            district=str(address.get("district") or ""),
            listed_unit=listed,
            protected_identity=protected,
        )
    except PatientExists as exists:
        return exists.patient
    except UserFacingError as error:
        raise invalid(str(error.message), "The patient cannot be registered here.") from error


def _subject(client: ClientRequest, resource: dict[str, Any]) -> Patient:
    subject = resource.get("subject") or {}
    reference = str(subject.get("reference") or "")
    if reference.startswith("Patient/"):
        from brygga.patients.access import access_patient

        try:
            return access_patient(client.actor, int(reference.removeprefix("Patient/")))
        except (ValueError, Http404) as error:
            raise ApiError(404, "not-found", "not-found") from error
    contained = _contained(resource, reference) if reference.startswith("#") else None
    identifier = subject.get("identifier") or (
        (contained.get("identifier") or [{}])[0] if contained else None
    )
    if not identifier:
        raise invalid(
            "Encounter.subject ska ange patienten med identifierare (personnummer m.m.) eller "
            "som inbäddad Patient.",
            "Encounter.subject must give the patient by identifier or as a contained Patient.",
        )
    identity = _identity(identifier)
    patient = Patient.objects.filter(identity_number=identity.value).first()
    log_search(
        client.actor, query_kind="FHIR Encounter (öppna ärende)", hits=[patient] if patient else []
    )
    if patient is not None:
        return patient
    if contained is None:
        raise invalid(
            "Patienten finns inte i Brygga. Skicka patientens uppgifter som inbäddad Patient.",
            "The patient is not in Brygga. Send the patient's details as a contained Patient.",
        )
    return _register(client, identity, contained)


# --- Encounter ----------------------------------------------------------------------------


def _recipients(resource: dict[str, Any], patient: Patient) -> list[Unit]:
    chosen: list[Unit] = []
    for extension in _extension(resource, systems.EXT_RECIPIENT):
        reference = extension.get("valueReference") or {}
        hsa = (reference.get("identifier") or {}).get("value")
        target = str(reference.get("reference") or "")
        unit = None
        if hsa:
            unit = Unit.objects.filter(hsa_id=hsa).first()
        elif target.removeprefix("Organization/").isdigit():
            unit = Unit.objects.filter(pk=int(target.removeprefix("Organization/"))).first()
        if unit is None:
            raise invalid(
                "Mottagaren %s finns inte i katalogen." % (hsa or target),
                "The recipient %s is not in the directory." % (hsa or target),
            )
        if unit not in chosen:
            chosen.append(unit)
    if chosen:
        return chosen
    proposed = propose_recipients(patient, on=timezone.localdate())
    if not proposed:
        raise invalid(
            "Det gick inte att föreslå mottagare utifrån patientens folkbokföringskommun och "
            "listning. Ange mottagarna med tillägget lus-recipient.",
            "No recipients could be proposed from the patient's municipality and listing. "
            "Give them with the lus-recipient extension.",
        )
    return proposed


def _care_kind(resource: dict[str, Any]) -> str:
    for extension in _extension(resource, systems.EXT_CARE_KIND):
        code = (extension.get("valueCoding") or {}).get("code")
        if code in CareKind.values:
            return str(code)
        raise invalid(f"Okänd vårdform {code}.", f"Unknown care kind {code}.")
    return CareKind.SOMATIC


def create_encounter(client: ClientRequest, request: HttpRequest) -> Written:
    client.require(SCOPE_WRITE)
    resource = read_json(request)
    validation.parse(resource, "Encounter")
    klass = resource.get("class") or {}
    if klass.get("code") != "IMP":
        raise invalid(
            "Brygga tar emot vårdtillfällen i slutenvård: Encounter.class ska vara IMP.",
            "Brygga accepts inpatient stays only: Encounter.class must be IMP.",
        )
    conditional = _none_exist_identifier(request)
    identifier = _body_identifier(resource) or conditional
    if conditional is not None or identifier is not None:
        system, value = conditional or identifier  # type: ignore[misc]
        existing = EncounterIdentifier.objects.filter(system=system, value=value).first()
        if existing is not None:
            try:
                return Written(access_case(client.actor, existing.case_id), created=False)
            except Http404 as error:
                raise invalid(
                    "Identifieraren används redan för ett annat vårdtillfälle.",
                    "The identifier is already used for another stay.",
                    409,
                ) from error
    start = (resource.get("period") or {}).get("start")
    if not start:
        raise invalid(
            "Encounter.period.start (inskrivningstiden) saknas.",
            "Encounter.period.start (the admission time) is missing.",
        )
    patient = _subject(client, resource)
    assessed = [
        _moment(e.get("valueDateTime"), "assessed-at")
        for e in _extension(resource, systems.EXT_ASSESSED)
    ]
    compulsory = [bool(e.get("valueBoolean")) for e in _extension(resource, systems.EXT_COMPULSORY)]
    try:
        case = actions.open_stay(
            actor=client.actor,
            client=client.client,
            patient=patient,
            care_kind=_care_kind(resource),
            compulsory_care=compulsory[0] if compulsory else False,
            admitted_at=_moment(start, "Encounter.period.start"),
            assessed_at=assessed[0] if assessed else None,
            recipients=_recipients(resource, patient),
            identifier=identifier,
        )
    except case_actions.CaseActionError as refusal:
        raise ApiError(
            422, "business-rule", "business-rule", {"reason": refusal.message}
        ) from refusal
    # A retry with the same identifier was answered above from EncounterIdentifier.
    return Written(case, created=True)


def _case_of(client: ClientRequest, reference: str, *, kinds: tuple[str, ...]) -> Case:
    for kind in kinds:
        if reference.startswith(f"{kind}/") and reference.removeprefix(f"{kind}/").isdigit():
            try:
                case = access_case(client.actor, int(reference.removeprefix(f"{kind}/")))
            except Http404 as error:
                raise ApiError(404, "not-found", "not-found") from error
            expected = CaseKind.STAY if kind == "Encounter" else None
            if expected is not None and case.kind != expected:
                raise ApiError(404, "not-found", "not-found")
            return case
    raise invalid(
        "Ange ärendet som {}.".format(" eller ".join(f"{k}/id" for k in kinds)),
        "Refer to the case as {}.".format(" or ".join(f"{k}/id" for k in kinds)),
    )


def _check_version(request: HttpRequest, case: Case) -> int | None:
    sent = if_match_version(request)
    if sent is not None and sent != case.version:
        raise ApiError(412, "version-conflict", "conflict", {"current": case.version, "sent": sent})
    return sent


def _record(
    client: ClientRequest,
    request: HttpRequest,
    case: Case,
    *,
    event_type: CaseEventType,
    payload: p.Payload,
    text: str,
    key_parts: tuple[str, ...] | None,
) -> Written:
    key = actions.client_key(client.client, event_type, *key_parts) if key_parts else ""
    if key:
        # A retry gets what the first request made, even though the case has moved on.
        existing = CaseEvent.objects.filter(case=case, idempotency_key=key).first()
        if existing is not None:
            return Written(existing, created=False)
    expected = _check_version(request, case)
    try:
        event = case_actions.record_event(
            actor=client.actor,
            case=case,
            event_type=event_type,
            payload=payload,
            text=text,
            expected_version=expected,
            idempotency_key=key,
        )
    except case_actions.Conflict as conflict:
        case.refresh_from_db()
        raise ApiError(
            412, "version-conflict", "conflict", {"current": case.version, "sent": expected}
        ) from conflict
    except case_actions.CaseActionError as refusal:
        raise ApiError(
            422, "business-rule", "business-rule", {"reason": refusal.message}
        ) from refusal
    return Written(event, created=True)


def _key_parts(request: HttpRequest, resource: dict[str, Any]) -> tuple[str, ...] | None:
    conditional = _none_exist_identifier(request)
    identifier = conditional or _body_identifier(resource)
    if identifier is not None:
        return identifier
    header = request.headers.get("Idempotency-Key", "").strip()
    return ("Idempotency-Key", header[:200]) if header else None


def create_task(client: ClientRequest, request: HttpRequest) -> Written:
    client.require(SCOPE_WRITE)
    resource = read_json(request)
    validation.parse(resource, "Task")
    event_type = event_type_of(resource)
    reference = str(
        (resource.get("focus") or {}).get("reference")
        or (resource.get("encounter") or {}).get("reference")
        or ""
    )
    case = _case_of(client, reference, kinds=("Encounter", "CarePlan"))
    payload = payload_from_inputs(event_type, resource)
    text = "\n".join(str(n.get("text") or "") for n in resource.get("note") or []).strip()
    return _record(
        client,
        request,
        case,
        event_type=event_type,
        payload=payload,
        text=text,
        key_parts=_key_parts(request, resource),
    )


def create_communication(client: ClientRequest, request: HttpRequest) -> Written:
    client.require(SCOPE_WRITE)
    resource = read_json(request)
    validation.parse(resource, "Communication")
    reference = str((resource.get("encounter") or {}).get("reference") or "")
    if not reference:
        reference = next((str(a.get("reference") or "") for a in resource.get("about") or []), "")
    case = _case_of(client, reference, kinds=("Encounter", "CarePlan"))
    text = "\n".join(
        str(part.get("contentString") or "") for part in resource.get("payload") or []
    ).strip()
    if not text:
        raise invalid(
            "Meddelandet är tomt: skicka texten i Communication.payload.contentString.",
            "The message is empty: send the text in Communication.payload.contentString.",
        )
    return _record(
        client,
        request,
        case,
        event_type=CaseEventType.MESSAGE,
        payload=p.Empty(),
        text=text,
        key_parts=_key_parts(request, resource),
    )


# --- PUT Encounter: a versioned update of the stay ----------------------------------------


def update_encounter(client: ClientRequest, request: HttpRequest, case: Case) -> Written:
    """The changes a ward's EHR makes to a stay, each sent as its notice:

    - the expected discharge date extension changes -> Ändrat beräknat utskrivningsdatum;
    - status finished with period.end and a discharge disposition -> Utskrivningsmeddelande.

    If-Match with the current ETag is required, so a stale update never overwrites.
    """
    client.require(SCOPE_WRITE)
    if if_match_version(request) is None:
        raise ApiError(428, "bad-if-match", "required")
    resource = read_json(request)
    validation.parse(resource, "Encounter")
    if str(resource.get("id", "")) != str(case.pk):
        raise invalid(f"Encounter.id ska vara {case.pk}.", f"Encounter.id must be {case.pk}.", 400)
    _check_version(request, case)
    written: Written | None = None
    wanted = [e.get("valueDate") for e in _extension(resource, systems.EXT_EXPECTED_DISCHARGE)]
    if wanted and wanted[0]:
        try:
            new_date = dt.date.fromisoformat(str(wanted[0]))
        except ValueError as error:
            raise invalid("Datumet har fel format.", "The date is malformed.") from error
        if new_date != case.expected_discharge_on:
            written = _record(
                client,
                request,
                case,
                event_type=CaseEventType.EXPECTED_DATE_CHANGED,
                payload=p.ExpectedDateChanged(new_date, case.expected_discharge_on, timezone.now()),
                text="",
                key_parts=None,
            )
            case.refresh_from_db()
    if resource.get("status") == "finished" and case.discharged_at is None:
        end = (resource.get("period") or {}).get("end")
        disposition = (resource.get("hospitalization") or {}).get("dischargeDisposition") or {}
        codes = [c.get("code") for c in disposition.get("coding") or []]
        destination = next((c for c in codes if c in Destination.values), None)
        if not end or destination is None:
            raise invalid(
                "Vid utskrivning krävs period.end och hospitalization.dischargeDisposition "
                "med en av koderna {}.".format(", ".join(Destination.values)),
                "A discharge needs period.end and hospitalization.dischargeDisposition with "
                "one of the codes {}.".format(", ".join(Destination.values)),
            )
        written = _record(
            client,
            request,
            case,
            event_type=CaseEventType.DISCHARGE_NOTICE,
            payload=p.DischargeNotice(_moment(end, "period.end"), destination),
            text="",
            key_parts=("discharge", str(case.pk)),
        )
    case.refresh_from_db()
    return Written(case, created=written is not None and written.created)
