"""An EHR opens a case, sends the admission notice and later the discharge, over real HTTP.

Covers conditional create, retries (no duplicates), versioned updates with If-Match/ETag
and OperationOutcome errors in Swedish and English.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from brygga.audit.models import AuditEntry
from brygga.cases.models import Case, CaseEvent, CaseState
from brygga.demo.world import make_test_personnummer
from brygga.fhir import systems
from brygga.patients.models import Patient
from brygga.testing import commission_of

from .conftest import Ehr

pytestmark = pytest.mark.django_db(transaction=True)

STAY_SYSTEM = "urn:oid:1.2.752.97.999.1"  # the test EHR's own (made-up) stay-id system


def new_personnummer() -> str:
    for number in range(980, 1000):
        candidate = make_test_personnummer(dt.date(1938, 3, 5), number)
        if not Patient.objects.filter(identity_number=candidate).exists():
            return candidate
    raise AssertionError("no free test personnummer")


def encounter(personnummer: str, stay_id: str, *, listed_hsa: str) -> dict[str, Any]:
    admitted = timezone.now() - dt.timedelta(hours=3)
    return {
        "resourceType": "Encounter",
        "contained": [
            {
                "resourceType": "Patient",
                "id": "pat",
                "identifier": [{"system": systems.PERSONNUMMER, "value": personnummer}],
                "name": [{"family": "Testsson", "given": ["Greta"]}],
                "address": [
                    {
                        "line": ["Testvägen 1"],
                        "postalCode": "17164",
                        "city": "Solna",
                        "extension": [{"url": systems.EXT_MUNICIPALITY, "valueCode": "0184"}],
                    }
                ],
                "generalPractitioner": [
                    {"identifier": {"system": systems.HSA_ID, "value": listed_hsa}}
                ],
            }
        ],
        "identifier": [{"system": STAY_SYSTEM, "value": stay_id}],
        "status": "in-progress",
        "class": {"system": systems.ACT_CODE, "code": "IMP"},
        "subject": {"reference": "#pat"},
        "period": {"start": admitted.isoformat()},
    }


def admission_task(encounter_id: str, expected: dt.date) -> dict[str, Any]:
    return {
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "code": {"coding": [{"system": systems.EVENT_TYPE, "code": "admission_notice"}]},
        "focus": {"reference": f"Encounter/{encounter_id}"},
        "input": [
            {
                "type": {
                    "coding": [{"system": systems.TASK_INPUT, "code": "expected_discharge_on"}]
                },
                "valueDate": expected.isoformat(),
            }
        ],
        "note": [{"text": "Patienten bor ensam, har hemtjänst två gånger dagligen."}],
    }


def texts(outcome: dict[str, Any]) -> tuple[str, str]:
    """The message in the response language and its translation."""
    details = outcome["issue"][0]["details"]
    translation = details["_text"]["extension"][0]["extension"]
    return details["text"], next(e["valueString"] for e in translation if e["url"] == "content")


def test_ehr_opens_case_sends_admission_notice_and_discharges(ehr: Ehr, demo: Any) -> None:
    personnummer = new_personnummer()
    listed = commission_of(demo.person("maria")).unit
    body = encounter(personnummer, "VT-1001", listed_hsa=listed.hsa_id)
    conditional = {"If-None-Exist": f"identifier={STAY_SYSTEM}|VT-1001"}

    created = ehr.post("Encounter", body, headers=conditional)
    assert created.status_code == 201, created.text
    encounter_id = created.json()["id"]
    assert created.headers["Location"].endswith(f"/fhir/Encounter/{encounter_id}")
    assert created.headers["ETag"] == 'W/"1"'
    assert created.headers["Content-Type"].startswith("application/fhir+json")
    resource = created.json()
    assert resource["status"] == "in-progress"
    assert resource["class"]["code"] == "IMP"
    assert resource["identifier"] == [{"system": STAY_SYSTEM, "value": "VT-1001"}]
    assert resource["serviceProvider"]["identifier"]["value"] == ehr.unit.hsa_id
    patient = Patient.objects.get(identity_number=personnummer)
    assert resource["subject"]["reference"] == f"Patient/{patient.pk}"

    # The network dropped the answer: the EHR sends the same create again, with and without
    # If-None-Exist. Brygga answers with the case it opened; there is still exactly one.
    again = ehr.post("Encounter", body, headers=conditional)
    retried = ehr.post("Encounter", body)
    assert again.status_code == retried.status_code == 200
    assert again.json()["id"] == retried.json()["id"] == encounter_id
    assert Case.objects.filter(patient=patient).count() == 1
    case = Case.objects.get(pk=encounter_id)
    # The parties came from the patient's municipality (Solna) and listing (Maria's unit).
    party_units = set(case.parties.values_list("unit__hsa_id", flat=True))
    assert listed.hsa_id in party_units and len(party_units) >= 3

    expected = timezone.localdate() + dt.timedelta(days=5)
    task = admission_task(encounter_id, expected)
    stale = ehr.post("Task", task, headers={"If-Match": 'W/"7"'})
    assert stale.status_code == 412
    swedish, english = texts(stale.json())
    assert "version 1" in swedish and "Someone else changed the case" in english

    sent = ehr.post("Task", task, headers={"If-Match": 'W/"1"', "Idempotency-Key": "notice-1001-1"})
    assert sent.status_code == 201, sent.text
    notice = sent.json()
    assert notice["status"] == "completed"
    assert notice["code"]["coding"][0]["code"] == "admission_notice"
    assert notice["focus"]["reference"] == f"Encounter/{encounter_id}"
    assert notice["for"]["reference"] == f"Patient/{patient.pk}"
    assert notice["requester"]["identifier"]["value"] == ehr.unit.hsa_id
    recipients = {r["identifier"]["value"] for r in notice["restriction"]["recipient"]}
    assert listed.hsa_id in recipients and ehr.unit.hsa_id not in recipients
    assert {"type": notice["input"][0]["type"], "valueDate": expected.isoformat()} in notice[
        "input"
    ]
    repeat = ehr.post(
        "Task", task, headers={"If-Match": 'W/"1"', "Idempotency-Key": "notice-1001-1"}
    )
    assert repeat.status_code == 200 and repeat.json()["id"] == notice["id"]
    assert CaseEvent.objects.filter(case=case, type="admission_notice").count() == 1

    # A second admission notice is against the LUS rules: a Swedish reason, English frame.
    refused = ehr.post("Task", task, headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    english, swedish = texts(refused.json())
    assert english.startswith("Refused by the discharge-coordination rules")
    assert "kan inte registreras" in swedish

    read = ehr.get(f"Encounter/{encounter_id}")
    assert read.headers["ETag"] == 'W/"2"'
    assert read.json()["meta"]["versionId"] == "2"
    listed_tasks = ehr.get(f"Task?encounter=Encounter/{encounter_id}&status=completed")
    assert [e["resource"]["id"] for e in listed_tasks.json()["entry"]] == [notice["id"]]

    # Versioned update: a stale If-Match is refused, a missing one too.
    moved = dict(read.json())
    new_date = expected + dt.timedelta(days=2)
    moved["extension"] = [
        e for e in moved["extension"] if e["url"] != systems.EXT_EXPECTED_DISCHARGE
    ] + [{"url": systems.EXT_EXPECTED_DISCHARGE, "valueDate": new_date.isoformat()}]
    assert ehr.put(f"Encounter/{encounter_id}", moved).status_code == 428
    assert (
        ehr.put(f"Encounter/{encounter_id}", moved, headers={"If-Match": 'W/"1"'}).status_code
        == 412
    )
    updated = ehr.put(f"Encounter/{encounter_id}", moved, headers={"If-Match": 'W/"2"'})
    assert updated.status_code == 200, updated.text
    case.refresh_from_db()
    assert case.expected_discharge_on == new_date

    # Ready for discharge, then the discharge itself as an update of the stay.
    ready = ehr.post(
        "Task",
        {
            "resourceType": "Task",
            "status": "requested",
            "intent": "order",
            "code": {"coding": [{"system": systems.EVENT_TYPE, "code": "ready"}]},
            "focus": {"reference": f"Encounter/{encounter_id}"},
            "input": [
                {"type": {"coding": [{"code": "doctor"}]}, "valueString": "Dr. Test Testsson"},
                {
                    "type": {"coding": [{"code": "decided_at"}]},
                    "valueDateTime": timezone.now().isoformat(),
                },
            ],
        },
        headers={"Idempotency-Key": "ready-1001"},
    )
    assert ready.status_code == 201, ready.text
    current = ehr.get(f"Encounter/{encounter_id}")
    discharged = dict(current.json())
    discharged["status"] = "finished"
    discharged["period"] = discharged["period"] | {"end": timezone.now().isoformat()}
    discharged["hospitalization"] = {"dischargeDisposition": {"coding": [{"code": "home"}]}}
    done = ehr.put(
        f"Encounter/{encounter_id}", discharged, headers={"If-Match": current.headers["ETag"]}
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "finished"
    case.refresh_from_db()
    assert case.state == CaseState.DISCHARGED and case.destination == "home"

    # Everything the client did is in the access log under its own identity, via the API.
    rows = AuditEntry.objects.filter(actor_label=f"client:{ehr.client.client_id}")
    assert rows.filter(event_type=501, patient=patient).exists()  # case opened
    assert rows.filter(event_type=502, patient=patient).count() >= 3
    assert set(rows.values_list("channel", flat=True)) == {"api"}
    assert set(rows.exclude(event_type=903).values_list("actor_unit_hsa_id", flat=True)) == {
        ehr.unit.hsa_id
    }


def test_invalid_resources_get_operation_outcome_in_both_languages(ehr: Ehr, demo: Any) -> None:
    not_r4 = {"resourceType": "Encounter", "class": {"code": "IMP"}, "colour": "blue"}
    refused = ehr.post("Encounter", not_r4)
    assert refused.status_code == 400
    outcome = refused.json()
    assert outcome["resourceType"] == "OperationOutcome"
    swedish, english = texts(outcome)
    assert swedish.startswith("Resursen följer inte FHIR R4")
    assert english.startswith("The resource does not conform to FHIR R4")
    assert "status" in swedish and "colour" in swedish  # missing and unknown elements

    in_english = ehr.post("Encounter", not_r4, headers={"Accept-Language": "en"})
    assert texts(in_english.json())[0].startswith("The resource does not conform")

    garbage = ehr.request(
        "POST", "Encounter", data=b"{not json", headers={"Content-Type": "application/fhir+json"}
    )
    assert garbage.status_code == 400
    assert texts(garbage.json())[0] == "Innehållet är inte giltig JSON."

    unknown = ehr.get("Observation")
    assert unknown.status_code == 404 and "Observation" in texts(unknown.json())[0]
    wrong_method = ehr.post("Organization", {"resourceType": "Organization"})
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"] == "GET"


def test_message_as_communication(ehr: Ehr, demo: Any) -> None:
    from .conftest import subject_case

    case = subject_case(demo)
    message = {
        "resourceType": "Communication",
        "status": "completed",
        "encounter": {"reference": f"Encounter/{case.pk}"},
        "payload": [{"contentString": "Patienten vill att dottern deltar i planeringen."}],
        "identifier": [{"system": STAY_SYSTEM, "value": "msg-1"}],
    }
    sent = ehr.post("Communication", message)
    assert sent.status_code == 201, sent.text
    again = ehr.post("Communication", message)
    assert again.status_code == 200 and again.json()["id"] == sent.json()["id"]
    found = ehr.get(f"Communication?encounter=Encounter/{case.pk}").json()
    texts_found = [
        e["resource"].get("payload", [{}])[0].get("contentString") for e in found["entry"]
    ]
    assert "Patienten vill att dottern deltar i planeringen." in texts_found
    karin_unit = commission_of(demo.person("karin")).unit
    resource = sent.json()
    assert karin_unit.hsa_id in {r["identifier"]["value"] for r in resource["recipient"]}


def test_a_patients_notices_and_messages_are_found_by_patient(ehr: Ehr, demo: Any) -> None:
    from .conftest import subject_case

    case = subject_case(demo)
    patient = f"Patient/{case.patient_id}"
    sent = ehr.post(
        "Communication",
        {
            "resourceType": "Communication",
            "status": "completed",
            "encounter": {"reference": f"Encounter/{case.pk}"},
            "payload": [{"contentString": "Hemtjänsten har fått nyckeln."}],
        },
    )
    assert sent.status_code == 201, sent.text
    for resource_type in ("Task", "Communication"):
        for param in ("patient", "subject"):
            found = ehr.get(f"{resource_type}?{param}={patient}")
            assert found.status_code == 200, found.text
            resources = [entry["resource"] for entry in found.json()["entry"]]
            assert resources, resource_type
            for resource in resources:
                subject = resource["for"] if resource_type == "Task" else resource["subject"]
                assert subject["reference"] == patient
                retracted = resource["status"] in {"cancelled", "entered-in-error"}
                assert resource["meta"]["versionId"] == ("2" if retracted else "1")
                assert resource["encounter"] == {"reference": f"Encounter/{case.pk}"}
        wrong = ehr.get(f"{resource_type}?patient=Encounter/{case.pk}")
        assert wrong.status_code == 400
    message = ehr.get(f"Communication/{sent.json()['id']}").json()
    assert message["sender"]["identifier"]["system"] == systems.HSA_ID
