"""Identifier and code systems the API speaks (docs/fhir.md lists which are confirmed).

Confirmed (DOMAIN.md §6, §7, §9): personnummer and samordningsnummer (HL7 Sweden) and the
HSA-id OID. Not confirmed: reservnummer (patients/identity.py explains), the organisation
number system, and Brygga's own code systems, which live under BRYGGA_CANONICAL — a
placeholder base (the .invalid top-level domain never resolves) until the project
publishes its conformance resources at a real address.
"""

from __future__ import annotations

from brygga.patients.identity import (
    FHIR_SYSTEM_PERSONNUMMER,
    FHIR_SYSTEM_RESERVNUMMER,
    FHIR_SYSTEM_SAMORDNINGSNUMMER,
)

FHIR_VERSION = "4.0.1"
PERSONNUMMER = FHIR_SYSTEM_PERSONNUMMER
SAMORDNINGSNUMMER = FHIR_SYSTEM_SAMORDNINGSNUMMER
RESERVNUMMER = FHIR_SYSTEM_RESERVNUMMER  # unconfirmed
PATIENT_SYSTEMS = (PERSONNUMMER, SAMORDNINGSNUMMER, RESERVNUMMER)
HSA_ID = "urn:oid:1.2.752.29.4.19"
# X.500 organizationIdentifier; used by some Swedish profiles for organisationsnummer, but
# not confirmed for HL7 Sweden's base profile.
ORGANISATION_NUMBER = "urn:oid:2.5.4.97"

BRYGGA_CANONICAL = "http://brygga.invalid/fhir"
EVENT_TYPE = f"{BRYGGA_CANONICAL}/CodeSystem/lus-event"
TASK_INPUT = f"{BRYGGA_CANONICAL}/CodeSystem/lus-notice-field"
CARE_TYPE = f"{BRYGGA_CANONICAL}/CodeSystem/care-type"
CASE_STATE = f"{BRYGGA_CANONICAL}/CodeSystem/case-state"
ROLE = f"{BRYGGA_CANONICAL}/CodeSystem/commission-role"
PLAN_TYPE = f"{BRYGGA_CANONICAL}/CodeSystem/plan-type"  # SIP, SPU (DOMAIN.md §9)
AUDIT_EVENT_TYPE = f"{BRYGGA_CANONICAL}/CodeSystem/audit-event"
ERROR_CODE = f"{BRYGGA_CANONICAL}/CodeSystem/error"
EXT_MUNICIPALITY = f"{BRYGGA_CANONICAL}/StructureDefinition/municipality-code"
EXT_RECIPIENT = f"{BRYGGA_CANONICAL}/StructureDefinition/lus-recipient"
EXT_CARE_KIND = f"{BRYGGA_CANONICAL}/StructureDefinition/care-kind"
EXT_COMPULSORY = f"{BRYGGA_CANONICAL}/StructureDefinition/compulsory-care"
EXT_ASSESSED = f"{BRYGGA_CANONICAL}/StructureDefinition/assessed-at"
EXT_EXPECTED_DISCHARGE = f"{BRYGGA_CANONICAL}/StructureDefinition/expected-discharge-date"

# HL7 terminology (confirmed, part of FHIR R4).
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
AUDIT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
DISCHARGE_DISPOSITION = "http://terminology.hl7.org/CodeSystem/discharge-disposition"
RESTFUL_SECURITY = "http://terminology.hl7.org/CodeSystem/restful-security-service"
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
