"""The sync against a real slapd: full, incremental, removals, dry run, bad entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.directory.models import (
    CareType,
    Commission,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Unit,
    UnitStatus,
)
from brygga.directory_sync.models import (
    EntryKind,
    MessageLevel,
    RunStatus,
    SyncedEntry,
    SyncRun,
)
from brygga.directory_sync.testserver import TestSlapd

from .conftest import (
    COUNTY,
    HEALTH_CENTRE,
    MUNICIPALITY_ORG,
    REGION_ORG,
    WARD,
    commission_attributes,
    hsa,
    person_attributes,
    person_dn,
    pnr,
)

pytestmark = pytest.mark.django_db
Sync = Callable[..., Any]


def directory_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every directory row's synced values, for comparing before and after a run."""
    return {
        "organisations": sorted(
            Organisation.objects.values_list("org_number", "name", "kind", "municipality_code")
        ),
        "units": sorted(
            Unit.objects.values_list(
                "hsa_id",
                "name",
                "organisation__org_number",
                "parent__hsa_id",
                "care_type",
                "status",
                "valid_from",
                "valid_to",
            )
        ),
        "persons": sorted(
            Person.objects.values_list(
                "hsa_id", "given_name", "family_name", "title", "email", "personnummer", "is_active"
            )
        ),
        "commissions": sorted(
            Commission.objects.values_list(
                "person__hsa_id", "unit__hsa_id", "role", "purpose", "valid_from", "valid_to"
            ),
            key=str,
        ),
    }


def test_a_full_sync_creates_the_directory_from_ldap(sync: Sync) -> None:
    result = sync("full")

    assert result.status == RunStatus.SUCCEEDED
    region = Organisation.objects.get(org_number=REGION_ORG)
    assert (region.name, region.kind) == ("Region Stockholm", OrganisationKind.REGION)
    municipality = Organisation.objects.get(org_number=MUNICIPALITY_ORG)
    assert (municipality.kind, municipality.municipality_code) == (
        OrganisationKind.MUNICIPALITY,
        "0184",
    )
    ward = Unit.objects.get(hsa_id=hsa(REGION_ORG, "E0061"))
    assert ward.name == "Avdelning 61"
    assert ward.care_type == CareType.INPATIENT_SOMATIC
    assert ward.parent is not None and ward.parent.hsa_id == hsa(REGION_ORG, "E0001")
    assert ward.parent.care_type == CareType.ADMINISTRATION
    assert ward.organisation == region
    assert ward.valid_from == dt.date(2019, 1, 1)
    assert Unit.objects.get(hsa_id=hsa(REGION_ORG, "E0005")).care_type == (
        CareType.INPATIENT_PSYCHIATRIC
    )
    assert Unit.objects.get(hsa_id=hsa(REGION_ORG, "E0100")).care_type == CareType.PRIMARY_CARE
    assert Unit.objects.get(hsa_id=hsa(MUNICIPALITY_ORG, "E0200")).care_type == (
        CareType.SOCIAL_SERVICES
    )
    anna = Person.objects.get(hsa_id=hsa(REGION_ORG, "P0001"))
    assert (anna.given_name, anna.family_name, anna.personnummer, anna.email) == (
        "Anna",
        "Andersson",
        pnr(980),
        "anna@example.se",
    )
    assert not anna.has_usable_password()
    roles = sorted(Commission.objects.values_list("person__given_name", "unit__name", "role"))
    assert roles == [
        ("Anna", "Avdelning 61", Role.USER),
        ("Erik", "Avdelning 61", Role.USER),
        ("Karin", "Socialtjänsten Testby", Role.USER),
        ("Lars", "Avdelning 61", Role.MANAGER),
        ("Maria", "Vårdcentral Testby", Role.USER),
    ]
    today = timezone.localdate()
    assert all(c.is_valid(today) for c in Commission.objects.all())

    run = SyncRun.objects.get()
    assert (run.status, run.mode, run.created, run.updated, run.ended, run.skipped) == (
        RunStatus.SUCCEEDED,
        "full",
        2 + 5 + 5 + 5,
        0,
        0,
        0,
    )
    assert run.finished_at is not None
    # Every row created is in the access log, as if an administrator had made it.
    logged = AuditEntry.objects.filter(
        event_type=AuditEventType.UNIT_CREATED, object_id=str(ward.pk)
    )
    assert logged.get().details["after"]["hsa_id"] == ward.hsa_id
    assert logged.get().actor_label == "system:test_directory_sync"
    assert AuditEntry.objects.filter(event_type__in=range(400, 500)).count() == run.created
    assert AuditEntry.objects.filter(event_type=AuditEventType.DIRECTORY_SYNC_RUN).count() == 1
    # The mapping: every row with its entry, DN and modifyTimestamp.
    mapped = SyncedEntry.objects.get(kind=EntryKind.UNIT, key=ward.hsa_id)
    assert mapped.object_id == ward.pk
    assert mapped.dn == "ou=avdelning 61,ou=testsjukhuset,o=region stockholm,l=stockholms län,c=se"
    assert mapped.modify_timestamp and mapped.entry_uuid
    assert SyncedEntry.objects.filter(kind=EntryKind.COMMISSION).count() == 5


def test_a_second_full_sync_without_changes_changes_nothing(sync: Sync) -> None:
    sync("full")
    before = directory_state()
    audit_rows = AuditEntry.objects.count()
    mapping = list(SyncedEntry.objects.values_list("kind", "key", "modify_timestamp", "last_run"))

    result = sync("full")

    assert (result.plan.created, result.plan.updated, result.plan.ended) == (0, 0, 0)
    assert directory_state() == before
    assert list(SyncedEntry.objects.values_list("kind", "key", "modify_timestamp", "last_run")) == (
        mapping
    )
    # Only the run's own summary row is added to the access log.
    assert AuditEntry.objects.count() == audit_rows + 1


def test_an_incremental_sync_picks_up_a_changed_person_and_a_new_commission_only(
    sync: Sync, slapd: TestSlapd
) -> None:
    sync("full")
    before = directory_state()
    slapd.replace(person_dn("Erik Eriksson"), {"sn": "Eriksson Lind", "title": "Överläkare"})
    slapd.add(
        "cn=Vård psykiatri,ou=Psykiatrisk avdelning 5,ou=Testsjukhuset,o=Region Stockholm,"
        "l=Stockholms län,c=SE",
        commission_attributes("Vård psykiatri", "U0005", [person_dn("Erik Eriksson")]),
    )

    result = sync("incremental")

    assert result.mode == "incremental"
    assert (result.plan.created, result.plan.updated, result.plan.ended) == (1, 1, 0)
    after = directory_state()
    erik = Person.objects.get(hsa_id=hsa(REGION_ORG, "P0002"))
    assert (erik.family_name, erik.title) == ("Eriksson Lind", "Överläkare")
    assert Commission.objects.filter(person=erik, unit__hsa_id=hsa(REGION_ORG, "E0005")).exists()
    assert after["units"] == before["units"]
    assert after["organisations"] == before["organisations"]
    assert len(after["commissions"]) == len(before["commissions"]) + 1
    run = SyncRun.objects.order_by("-pk").first()
    assert run is not None and (run.mode, run.created, run.updated) == ("incremental", 1, 1)
    logged = AuditEntry.objects.filter(
        event_type=AuditEventType.PERSON_UPDATED, object_id=str(erik.pk)
    ).get()
    assert logged.details["changed"] == ["family_name", "title"]
    assert logged.details["before"]["family_name"] == "Eriksson"


def test_an_incremental_sync_with_no_changes_writes_no_directory_rows(sync: Sync) -> None:
    sync("full")
    before = directory_state()
    audit_rows = AuditEntry.objects.filter(event_type__in=range(400, 500)).count()

    result = sync("incremental")

    assert (result.plan.created, result.plan.updated, result.plan.ended) == (0, 0, 0)
    assert directory_state() == before
    assert AuditEntry.objects.filter(event_type__in=range(400, 500)).count() == audit_rows


def test_a_member_removed_from_a_commission_ends_their_commission_in_an_incremental_sync(
    sync: Sync, slapd: TestSlapd
) -> None:
    sync("full")
    slapd.replace(
        f"cn=Vård avdelning 61,{WARD}", {"hsaCommissionMember": person_dn("Anna Andersson")}
    )
    today = timezone.localdate()

    result = sync("incremental")

    assert result.plan.ended == 1
    erik = Commission.objects.get(person__hsa_id=hsa(REGION_ORG, "P0002"))
    assert erik.valid_to == today - dt.timedelta(days=1)
    assert not erik.is_valid(today)
    assert Commission.objects.get(person__hsa_id=hsa(REGION_ORG, "P0001")).valid_to is None


def test_a_removed_commission_ends_and_a_removed_unit_is_deactivated_with_history_kept(
    sync: Sync, slapd: TestSlapd
) -> None:
    sync("full")
    today = timezone.localdate()
    maria_commission = Commission.objects.get(person__hsa_id=hsa(REGION_ORG, "P0004"))
    slapd.delete(f"cn=Vård avdelning 61,{WARD}")
    slapd.delete(HEALTH_CENTRE, subtree=True)

    result = sync("full")

    # Anna's and Erik's care commissions and Maria's (under the removed health centre) end.
    assert result.plan.ended == 3 + 1
    yesterday = today - dt.timedelta(days=1)
    ended = Commission.objects.filter(valid_to=yesterday)
    assert sorted(ended.values_list("person__given_name", flat=True)) == ["Anna", "Erik", "Maria"]
    assert Commission.objects.get(person__given_name="Lars").valid_to is None
    centre = Unit.objects.get(hsa_id=hsa(REGION_ORG, "E0100"))
    assert centre.status == UnitStatus.INACTIVE
    assert centre.valid_to == yesterday
    assert not centre.is_usable(today)
    # Nothing is deleted: the rows and their history stay.
    maria_commission.refresh_from_db()
    assert maria_commission.valid_to == yesterday
    assert (
        AuditEntry.objects.filter(event_type=AuditEventType.UNIT_UPDATED, object_id=str(centre.pk))
        .get()
        .details["after"]["status"]
        == UnitStatus.INACTIVE
    )
    assert SyncedEntry.objects.get(kind=EntryKind.UNIT, key=centre.hsa_id).removed_at is not None
    # A second run leaves them as they are.
    again = sync("full")
    assert (again.plan.created, again.plan.updated, again.plan.ended) == (0, 0, 0)


def test_a_unit_that_comes_back_is_active_again(sync: Sync, slapd: TestSlapd) -> None:
    sync("full")
    slapd.delete(HEALTH_CENTRE, subtree=True)
    sync("full")
    from .conftest import unit_attributes

    slapd.add(HEALTH_CENTRE, unit_attributes("Vårdcentral Testby", "E0100", "01", "1100"))
    slapd.add(
        f"cn=Vård Vårdcentral Testby,{HEALTH_CENTRE}",
        commission_attributes("Vård Vårdcentral Testby", "U0100", [person_dn("Maria Månsson")]),
    )

    sync("incremental")

    centre = Unit.objects.get(hsa_id=hsa(REGION_ORG, "E0100"))
    assert (centre.status, centre.valid_to) == (UnitStatus.ACTIVE, None)
    maria = Commission.objects.filter(person__given_name="Maria").order_by("pk")
    assert [c.valid_to is None for c in maria] == [False, True]  # a new period, the old kept


def test_a_removed_person_is_made_inactive(sync: Sync, slapd: TestSlapd) -> None:
    sync("full")
    slapd.delete(person_dn("Erik Eriksson"))

    sync("full")

    erik = Person.objects.get(hsa_id=hsa(REGION_ORG, "P0002"))
    assert not erik.is_active
    # The referential-integrity overlay took Erik off the commission: it ends too.
    assert Commission.objects.get(person=erik).valid_to is not None


def test_a_dry_run_prints_the_diff_and_writes_nothing(
    sync: Sync, slapd: TestSlapd, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import call_command

    sync("full")
    slapd.replace(person_dn("Erik Eriksson"), {"sn": "Eriksson Lind"})
    slapd.delete(f"cn=Vård Vårdcentral Testby,{HEALTH_CENTRE}")
    before = directory_state()
    audit_rows = AuditEntry.objects.count()
    runs = SyncRun.objects.count()
    mapping = list(SyncedEntry.objects.values_list("kind", "key", "modify_timestamp", "removed_at"))

    call_command("sync_directory", "--full", "--dry-run")

    output = capsys.readouterr().out
    erik, maria, centre = (
        hsa(REGION_ORG, "P0002"),
        hsa(REGION_ORG, "P0004"),
        hsa(REGION_ORG, "E0100"),
    )
    changed = "family_name: 'Eriksson' → 'Eriksson Lind'"
    assert f"~ person {erik} Erik Eriksson Lind ändras: {changed}" in output
    assert f"- medarbetaruppdrag {maria} @ {centre} (Användare) avslutas" in output
    assert "Provkörning, inget sparat (fullständig)" in output
    assert directory_state() == before
    assert AuditEntry.objects.count() == audit_rows
    assert SyncRun.objects.count() == runs
    assert (
        list(SyncedEntry.objects.values_list("kind", "key", "modify_timestamp", "removed_at"))
        == mapping
    )


def test_a_bad_hsa_id_is_skipped_and_reported_and_nothing_of_it_is_saved(
    sync: Sync, slapd: TestSlapd
) -> None:
    attributes = person_attributes("Anna Andersson") | {
        "cn": "Felix Fel",
        "givenName": "Felix",
        "hsaIdentity": "SE2321000017-P9",  # the organisation number's check digit is wrong
        "personalIdentityNumber": pnr(988),
    }
    slapd.add(person_dn("Felix Fel"), attributes)
    slapd.replace(
        f"cn=Vård avdelning 61,{WARD}",
        {"hsaCommissionMember": [person_dn("Anna Andersson"), person_dn("Felix Fel")]},
    )

    result = sync("full")

    assert result.status == RunStatus.SUCCEEDED
    assert not Person.objects.filter(given_name="Felix").exists()
    assert not Person.objects.filter(personnummer=pnr(988)).exists()
    assert Person.objects.count() == 5  # everyone else is there
    run = SyncRun.objects.get()
    assert run.skipped == 1
    message = run.messages.get(level=MessageLevel.ERROR)
    assert message.kind == EntryKind.PERSON
    assert message.hsa_id == "SE2321000017-P9"
    assert "Ogiltigt HSA-id" in message.text and "kontrollsiffra" in message.text
    assert message.dn == person_dn("Felix Fel")
    # Anna's commission from the same entry is there; Felix's is not.
    assert Commission.objects.filter(person__given_name="Anna").count() == 1


def test_a_person_with_a_bad_personnummer_keeps_what_an_earlier_run_saved(
    sync: Sync, slapd: TestSlapd
) -> None:
    sync("full")
    slapd.replace(
        person_dn("Anna Andersson"), {"personalIdentityNumber": "198003149999", "sn": "Ny"}
    )

    result = sync("full")

    assert result.plan.skipped == 1
    anna = Person.objects.get(hsa_id=hsa(REGION_ORG, "P0001"))
    assert (anna.family_name, anna.personnummer, anna.is_active) == ("Andersson", pnr(980), True)
    # Not removed, and her commission is not ended: a bad entry is left as it was.
    assert Commission.objects.get(person=anna).valid_to is None
    assert "personnummer" in SyncRun.objects.order_by("-pk")[0].messages.get().text.lower()


def test_an_unknown_purpose_is_reported(sync: Sync, slapd: TestSlapd) -> None:
    slapd.add(
        f"cn=Okänt,{WARD}",
        commission_attributes("Okänt", "U0999", [person_dn("Anna Andersson")])
        | {"hsaCommissionPurpose": "Hemliga uppdrag"},
    )

    result = sync("full")

    assert result.plan.skipped == 1
    message = SyncRun.objects.get().messages.get(hsa_id=hsa(REGION_ORG, "U0999"))
    assert message.level == MessageLevel.ERROR
    assert "Hemliga uppdrag" in message.text
    assert Commission.objects.filter(person__given_name="Anna").count() == 1


def test_a_removed_unit_with_open_cases_is_a_conflict_and_stays_active(
    sync: Sync, slapd: TestSlapd, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brygga.directory_sync import engine

    sync("full")
    slapd.delete(HEALTH_CENTRE, subtree=True)
    centre = Unit.objects.get(hsa_id=hsa(REGION_ORG, "E0100"))
    open_cases = {centre.pk: 2}
    monkeypatch.setattr(engine, "open_cases_at", lambda unit: FakeCount(open_cases.get(unit.pk, 0)))

    result = sync("full")

    assert result.status == RunStatus.SUCCEEDED
    centre.refresh_from_db()
    assert centre.status == UnitStatus.ACTIVE
    run = SyncRun.objects.order_by("-pk")[0]
    assert run.conflicts == 1
    warning = run.messages.get(level=MessageLevel.WARNING, hsa_id=centre.hsa_id)
    assert "2 öppna ärenden" in warning.text
    # Maria's commission is gone from LDAP and ends all the same.
    assert Commission.objects.get(person__given_name="Maria").valid_to is not None


class FakeCount:
    def __init__(self, count: int) -> None:
        self._count = count

    def count(self) -> int:
        return self._count


def test_rows_made_in_brygga_are_adopted_not_duplicated(sync: Sync) -> None:
    from brygga.core.actor import Actor
    from brygga.directory import actions as directory_actions
    from brygga.directory.models import Organisation as Org

    # An installation that kept its directory by hand before turning the sync on.
    region = Org.objects.create(name="Region Sthlm", org_number=REGION_ORG, kind="region")
    ward = Unit.objects.create(
        hsa_id=hsa(REGION_ORG, "E0061"),
        name="Avd 61",
        organisation=region,
        care_type="inpatient_somatic",
    )
    anna = Person.objects.create(
        hsa_id=hsa(REGION_ORG, "P0001"),
        given_name="Anna",
        family_name="Andersson",
        personnummer=pnr(980),
    )
    manual = Commission.objects.create(person=anna, unit=ward, valid_from=dt.date(2020, 1, 1))
    hand_made = Unit.objects.create(
        hsa_id=hsa(REGION_ORG, "E7777"), name="Bara i Brygga", organisation=region
    )
    del directory_actions, Actor

    sync("full")
    sync("full")

    assert Org.objects.filter(org_number=REGION_ORG).count() == 1
    ward.refresh_from_db()
    assert ward.name == "Avdelning 61"
    assert Commission.objects.filter(person=anna).get() == manual
    manual.refresh_from_db()
    assert manual.valid_from == dt.date(2020, 1, 1)  # LDAP gives no start date: kept
    # What is only in Brygga is never ended or deactivated by the sync.
    hand_made.refresh_from_db()
    assert hand_made.status == UnitStatus.ACTIVE


def test_an_unreachable_server_fails_the_run_with_a_reason(
    sync: Sync, slapd: TestSlapd, settings: Any
) -> None:
    settings.LDAP_BIND_PASSWORD = "wrong"

    result = sync("full")

    assert result.status == RunStatus.FAILED
    assert "godtog inte inloggningen" in result.failure
    run = SyncRun.objects.get()
    assert (run.status, run.errors) == (RunStatus.FAILED, 1)
    assert "godtog inte inloggningen" in run.failure
    assert Unit.objects.count() == 0


def test_a_full_sync_that_finds_most_of_the_directory_gone_changes_nothing(
    sync: Sync, slapd: TestSlapd, settings: Any
) -> None:
    from brygga.directory_sync import actions

    sync("full")
    before = directory_state()
    # An access rule or a wrong base DN would look like this: the region's tree is gone.
    slapd.delete(f"o=Region Stockholm,{COUNTY}", subtree=True)
    settings.LDAP_MAX_REMOVAL_PERCENT = 10
    floor = actions.MASS_REMOVAL_FLOOR
    actions.MASS_REMOVAL_FLOOR = 5
    try:
        result = sync("full")
    finally:
        actions.MASS_REMOVAL_FLOOR = floor

    assert result.status == RunStatus.FAILED
    assert "inget ändrades" in result.failure and "--allow-mass-removal" in result.failure
    assert directory_state() == before
    assert SyncRun.objects.order_by("-pk")[0].status == RunStatus.FAILED
