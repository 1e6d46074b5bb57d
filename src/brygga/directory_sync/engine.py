"""The sync's engine: compare what LDAP says with the directory and work out the changes.

`build_plan` reads the directory rows it needs and returns a `Plan`: every row to create,
change, end or deactivate (with its values before and after, as the directory's own actions
snapshot them), the report's messages, and the mapping rows to keep. Nothing is written;
`apply_plan` (in actions.py) writes a plan in bulk. A dry run prints the plan.

What disappears from LDAP is never deleted: commissions are ended (valid_to set to
yesterday, by the directory's own `rules.end_dates`), units are deactivated the way
`directory.actions.deactivate_unit` does it (refused while the unit has open cases: then
reported as a conflict and left active), persons are made inactive. Only rows that the sync
itself keeps (a `SyncedEntry`) are ever ended; rows made in Brygga are left alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import models
from django.utils.translation import gettext as _

from brygga.cases.reorganisation import open_cases_at
from brygga.directory import rules
from brygga.directory.actions import (
    DEFAULT_UNIT_VALID_FROM,
    commission_snapshot,
    organisation_snapshot,
    person_snapshot,
    unit_snapshot,
)
from brygga.directory.models import (
    Commission,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Unit,
    UnitStatus,
)

from . import mapping
from .ldapclient import (
    COMMISSION_CLASS,
    PERSON_CLASS,
    PROVIDER_CLASS,
    UNIT_CLASS,
    RawEntry,
    normalise_dn,
    parent_dn,
)
from .mapping import BadEntry, commission_key
from .models import EntryKind, MessageLevel, SyncedEntry, SyncMode

CHUNK = 500  # values per IN (...) query
M = TypeVar("M", bound=models.Model)


class Action:
    CREATED = "created"
    UPDATED = "updated"
    REACTIVATED = "reactivated"
    ENDED = "ended"
    DEACTIVATED = "deactivated"


@dataclass
class Change:
    kind: str
    action: str
    obj: models.Model
    before: dict[str, Any] | None
    after: dict[str, Any]
    dn: str = ""

    @property
    def changed_fields(self) -> list[str]:
        before = self.before or {}
        return sorted(
            k for k in self.after if self.before is None or before.get(k) != self.after[k]
        )


@dataclass(frozen=True)
class Message:
    level: str
    kind: str
    hsa_id: str
    dn: str
    text: str


@dataclass
class MappingRow:
    """A SyncedEntry to write: ``entry`` is the existing row, or None for a new one."""

    kind: str
    key: str
    entry_hsa_id: str
    dn: str
    entry_uuid: str
    modify_timestamp: str
    obj: models.Model
    removed: bool
    entry: SyncedEntry | None


@dataclass
class Plan:
    mode: str
    today: dt.date
    now: dt.datetime
    entries_read: int = 0
    high_water_mark: str = ""
    changes: list[Change] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    mappings: list[MappingRow] = field(default_factory=list)
    skipped: int = 0
    conflicts: int = 0
    # Synced rows a full sync found gone from LDAP, and how many synced rows were in use.
    gone: int = 0
    in_use: int = 0

    def count(self, *actions: str) -> int:
        return sum(1 for change in self.changes if change.action in actions)

    @property
    def created(self) -> int:
        return self.count(Action.CREATED)

    @property
    def updated(self) -> int:
        return self.count(Action.UPDATED, Action.REACTIVATED)

    @property
    def ended(self) -> int:
        return self.count(Action.ENDED, Action.DEACTIVATED)

    def report(self, level: str, kind: str, text: str, *, hsa_id: str = "", dn: str = "") -> None:
        self.messages.append(Message(level, kind, hsa_id, dn, text))


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _load(queryset: models.QuerySet[M], field_name: str, values: set[Any] | None) -> list[M]:
    """Every row (values None) or those whose field is among the values, in chunks."""
    if values is None:
        return list(queryset)
    rows: list[M] = []
    for batch in _chunks(sorted(values)):
        rows.extend(queryset.filter(**{f"{field_name}__in": batch}))
    return rows


def _rough_hsa_id(entry: RawEntry) -> str:
    """The entry's HSA-id as written, for protecting its rows when the entry is bad."""
    return "".join(entry.hsa_id.split()).upper()


def _ancestors(ndn: str) -> Iterator[str]:
    current = parent_dn(ndn)
    while current:
        yield current
        current = parent_dn(current)


class PlanBuilder:
    """Builds one plan. Full mode loads the whole directory; incremental mode only the rows
    the changed entries touch."""

    def __init__(
        self,
        entries: list[RawEntry],
        *,
        mode: str,
        today: dt.date,
        now: dt.datetime,
        has_open_cases: Callable[[Unit], int] | None = None,
    ) -> None:
        self.entries = entries
        self.full = mode == SyncMode.FULL
        self.plan = Plan(mode=mode, today=today, now=now, entries_read=len(entries))
        self.today = today
        self.has_open_cases = has_open_cases or (lambda unit: open_cases_at(unit).count())
        self.providers = [e for e in entries if PROVIDER_CLASS in e.classes]
        self.units = [e for e in entries if UNIT_CLASS in e.classes]
        self.persons = [e for e in entries if PERSON_CLASS in e.classes]
        self.commissions = [e for e in entries if COMMISSION_CLASS in e.classes]
        # What this run has seen or must not touch (bad entries keep their rows as they are).
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.protected_dns: set[str] = set()
        self.protected_keys: dict[str, set[str]] = defaultdict(set)
        self.protected_commission_entries: set[str] = set()
        # (commission HSA-id, person HSA-id) whose rows stay: the person's entry is bad.
        self.protected_commission_pairs: set[tuple[str, str]] = set()
        self.bad_person_keys: dict[str, set[str]] = {}  # person DN -> HSA-ids it may have
        self.provider_organisations: dict[str, Organisation] = {}
        self.fetched_person_ids = {_rough_hsa_id(e) for e in entries if PERSON_CLASS in e.classes}
        # DN -> HSA-id (or None: the entry is bad) of providers, units and persons.
        self.provider_dns: dict[str, str | None] = {}
        self.unit_dns: dict[str, str | None] = {}
        self.person_dns: dict[str, str | None] = {}
        self.mapping_rows: dict[tuple[str, str], MappingRow] = {}
        self.changes_by_object: dict[tuple[str, int], Change] = {}

    # --- Loading the directory ---------------------------------------------------------------

    def load(self) -> None:
        full = self.full
        entry_dns = {e.ndn for e in self.entries}
        referenced_dns: set[str] = set()
        if not full:
            for entry in self.units + self.commissions:
                referenced_dns.update(_ancestors(entry.ndn))
            for entry in self.commissions:
                for member in entry.all("hsacommissionmember"):
                    with contextlib.suppress(ValueError):
                        referenced_dns.add(normalise_dn(member))
        hsa_ids = {_rough_hsa_id(e) for e in self.entries}
        # The mapping rows of the entries read (by HSA-id) and those they refer to (by DN).
        mapped = (
            list(SyncedEntry.objects.all())
            if full
            else _load(SyncedEntry.objects.all(), "entry_hsa_id", hsa_ids)
            + _load(
                SyncedEntry.objects.exclude(kind=EntryKind.COMMISSION),
                "dn",
                referenced_dns | entry_dns,
            )
        )
        self.mapped: dict[tuple[str, str], SyncedEntry] = {}
        self.mapped_by_entry: dict[str, list[SyncedEntry]] = defaultdict(list)
        for row in mapped:
            if (row.kind, row.key) in self.mapped:
                continue
            self.mapped[(row.kind, row.key)] = row
            if row.kind == EntryKind.COMMISSION:
                self.mapped_by_entry[row.entry_hsa_id].append(row)
            elif row.removed_at is None:
                target = {
                    EntryKind.ORGANISATION: self.provider_dns,
                    EntryKind.UNIT: self.unit_dns,
                    EntryKind.PERSON: self.person_dns,
                }[EntryKind(row.kind)]
                target.setdefault(row.dn, row.key)

        self.organisations = {o.org_number: o for o in Organisation.objects.all()}
        self.organisations_by_pk = {o.pk: o for o in self.organisations.values()}
        unit_ids = (
            None
            if full
            else hsa_ids | {r.key for r in self.mapped.values() if r.kind == EntryKind.UNIT}
        )
        units = _load(Unit.objects.all(), "hsa_id", unit_ids)
        self.units_by_hsa = {u.hsa_id: u for u in units}
        self.units_by_pk = {u.pk: u for u in units}
        self._ensure_units({u.parent_id for u in units if u.parent_id})
        person_ids = (
            None
            if full
            else hsa_ids | {r.key for r in self.mapped.values() if r.kind == EntryKind.PERSON}
        )
        persons = _load(Person.objects.all(), "hsa_id", person_ids)
        self.persons_by_hsa = {p.hsa_id: p for p in persons}
        self.persons_by_pk = {p.pk: p for p in persons}
        self.personnummer_owner = {p.personnummer: p for p in persons if p.personnummer}
        if not full:
            wanted = {"".join(e.first("personalidentitynumber").split()) for e in self.persons} - {
                ""
            }
            for person in _load(Person.objects.all(), "personnummer", wanted):
                self.personnummer_owner.setdefault(person.personnummer or "", person)

        commission_ids = (
            None
            if full
            else {r.object_id for r in self.mapped.values() if r.kind == EntryKind.COMMISSION}
        )
        commissions = _load(Commission.objects.all(), "pk", commission_ids)
        if not full:
            # Commissions made in Brygga for the persons read: adopted if LDAP has the same.
            person_pks = {p.pk for p in persons}
            commissions += [
                c
                for c in _load(Commission.objects.all(), "person_id", person_pks)
                if c.pk not in commission_ids  # type: ignore[operator]
            ]
        self.commissions_by_pk = {c.pk: c for c in commissions}
        mapped_commission_pks = {
            r.object_id for r in self.mapped.values() if r.kind == EntryKind.COMMISSION
        }
        self.adoptable: dict[tuple[int, int, str], Commission] = {}
        for commission in commissions:
            if commission.pk in mapped_commission_pks:
                continue
            if commission.valid_to is not None and commission.valid_to < self.today:
                continue
            self.adoptable.setdefault(
                (commission.person_id, commission.unit_id, commission.role), commission
            )
        self._ensure_units({c.unit_id for c in commissions})
        self._ensure_persons({c.person_id for c in commissions})

    def _ensure_units(self, pks: set[int]) -> None:
        missing = {pk for pk in pks if pk not in self.units_by_pk}
        while missing:
            loaded = _load(Unit.objects.all(), "pk", missing)
            for unit in loaded:
                self.units_by_pk[unit.pk] = unit
                self.units_by_hsa.setdefault(unit.hsa_id, unit)
            missing = {u.parent_id for u in loaded if u.parent_id} - set(self.units_by_pk)

    def _ensure_persons(self, pks: set[int]) -> None:
        missing = {pk for pk in pks if pk not in self.persons_by_pk}
        for person in _load(Person.objects.all(), "pk", missing):
            self.persons_by_pk[person.pk] = person
            self.persons_by_hsa.setdefault(person.hsa_id, person)

    # --- Bookkeeping -----------------------------------------------------------------------

    def _bad(self, kind: str, entry: RawEntry, message: str) -> None:
        self.plan.skipped += 1
        self.protected_dns.add(entry.ndn)
        self.protected_keys[kind].add(_rough_hsa_id(entry))
        self.plan.report(MessageLevel.ERROR, kind, message, hsa_id=entry.hsa_id, dn=entry.dn)

    def _keep_mapping(
        self, kind: str, key: str, entry: RawEntry, obj: models.Model, *, removed: bool = False
    ) -> None:
        """Remember the mapping row for a synced object; it is written only if it changed."""
        self.seen[kind].add(key)
        existing = self.mapped.get((kind, key))
        row = MappingRow(
            kind=kind,
            key=key,
            entry_hsa_id=_rough_hsa_id(entry),
            dn=entry.ndn,
            entry_uuid=entry.entry_uuid,
            modify_timestamp=entry.modify_timestamp,
            obj=obj,
            removed=removed,
            entry=existing,
        )
        self.mapping_rows[(kind, key)] = row

    def _record(
        self,
        kind: str,
        action: str,
        obj: M,
        before: dict[str, Any] | None,
        snapshot: Callable[[M], dict[str, Any]],
        dn: str = "",
    ) -> None:
        after = snapshot(obj)
        if before is not None and after == before:
            return
        identity = (kind, id(obj) if obj.pk is None else obj.pk)
        previous = self.changes_by_object.get(identity)  # type: ignore[arg-type]
        if previous is not None:
            # The same row changed twice in one run (e.g. updated, then ended with its unit):
            # one change from the first before to the last after.
            previous.after = after
            if action in (Action.ENDED, Action.DEACTIVATED):
                previous.action = action
            return
        change = Change(kind=kind, action=action, obj=obj, before=before, after=after, dn=dn)
        self.changes_by_object[identity] = change  # type: ignore[index]
        self.plan.changes.append(change)

    # --- Organisations ---------------------------------------------------------------------

    def organisations_step(self) -> None:
        for entry in self.providers:
            try:
                desired = mapping.map_provider(entry)
            except BadEntry as error:
                self.provider_dns[entry.ndn] = None
                self._bad(EntryKind.ORGANISATION, entry, error.message)
                continue
            if desired.hsa_id in self.seen[EntryKind.ORGANISATION]:
                self.provider_dns[entry.ndn] = None
                self._bad(
                    EntryKind.ORGANISATION,
                    entry,
                    _("HSA-id %(hsa_id)s finns på flera poster; bara den första synkas.")
                    % {"hsa_id": desired.hsa_id},
                )
                continue
            organisation = self.organisations.get(desired.org_number)
            if organisation is None:
                organisation = Organisation(
                    name=desired.name,
                    org_number=desired.org_number,
                    kind=desired.kind,
                    municipality_code=desired.municipality_code,
                    has_own_ek_admin=desired.kind != OrganisationKind.PRIVATE,
                )
                self.organisations[desired.org_number] = organisation
                self._record(
                    EntryKind.ORGANISATION,
                    Action.CREATED,
                    organisation,
                    None,
                    organisation_snapshot,
                    entry.dn,
                )
            else:
                before = organisation_snapshot(organisation)
                organisation.name = desired.name
                if desired.municipality_code:
                    organisation.municipality_code = desired.municipality_code
                self._record(
                    EntryKind.ORGANISATION,
                    Action.UPDATED,
                    organisation,
                    before,
                    organisation_snapshot,
                    entry.dn,
                )
            self.provider_dns[entry.ndn] = desired.hsa_id
            self.provider_organisations[desired.hsa_id] = organisation
            self._keep_mapping(EntryKind.ORGANISATION, desired.hsa_id, entry, organisation)

    def _organisation_of(self, ndn: str, *, include_self: bool) -> Organisation:
        candidates = [ndn, *_ancestors(ndn)] if include_self else list(_ancestors(ndn))
        for candidate in candidates:
            if candidate in self.provider_dns:
                provider_hsa_id = self.provider_dns[candidate]
                if provider_hsa_id is None:
                    raise BadEntry(_("Vårdgivaren som posten ligger under hoppades över."))
                organisation = self.provider_organisations.get(provider_hsa_id)
                if organisation is None:
                    # A provider not read in this (incremental) run: through the mapping.
                    row = self.mapped.get((EntryKind.ORGANISATION, provider_hsa_id))
                    if row is not None and row.object_id in self.organisations_by_pk:
                        return self.organisations_by_pk[row.object_id]
                    break
                return organisation
        raise BadEntry(_("Posten ligger inte under någon vårdgivare (hsaHealthCareProvider)."))

    # --- Units -----------------------------------------------------------------------------

    def units_step(self) -> None:
        # Parents before children: a new unit's parent gets its id first.
        for entry in sorted(self.units, key=lambda e: e.ndn.count(",")):
            try:
                desired = mapping.map_unit(entry)
                if desired.hsa_id in self.seen[EntryKind.UNIT]:
                    raise BadEntry(
                        _("HSA-id %(hsa_id)s finns på flera poster; bara den första synkas.")
                        % {"hsa_id": desired.hsa_id}
                    )
                organisation = self._organisation_of(entry.ndn, include_self=True)
                parent = self._parent_unit(entry.ndn)
            except BadEntry as error:
                self.unit_dns[entry.ndn] = None
                self._bad(EntryKind.UNIT, entry, error.message)
                continue
            if desired.unknown_care_type:
                self.plan.report(
                    MessageLevel.WARNING,
                    EntryKind.UNIT,
                    _(
                        "Okänd vård- och omsorgsform %(code)s: enheten synkas utan vårdtyp "
                        "och kan inte använda Brygga."
                    )
                    % {"code": desired.unknown_care_type},
                    hsa_id=desired.hsa_id,
                    dn=entry.dn,
                )
            unit = self.units_by_hsa.get(desired.hsa_id)
            mapped = self.mapped.get((EntryKind.UNIT, desired.hsa_id))
            if unit is None:
                unit = Unit(
                    hsa_id=desired.hsa_id,
                    status=UnitStatus.ACTIVE,
                    valid_from=desired.valid_from or DEFAULT_UNIT_VALID_FROM,
                )
                before = None
                action = Action.CREATED
                self.units_by_hsa[desired.hsa_id] = unit
            else:
                self._attach_unit_relations(unit)
                before = unit_snapshot(unit)
                action = Action.UPDATED
                if mapped is not None and mapped.removed_at is not None:
                    # Back in LDAP after the sync deactivated it: in use again.
                    unit.status = UnitStatus.ACTIVE
                    action = Action.REACTIVATED
            unit.name = desired.name
            unit.organisation = organisation
            unit.parent = parent
            unit.care_type = desired.care_type
            unit.municipality_code = desired.municipality_code
            unit.phone = desired.phone
            unit.fax = desired.fax
            unit.functional_mailbox = desired.functional_mailbox
            if desired.valid_from is not None:
                unit.valid_from = desired.valid_from
            unit.valid_to = desired.valid_to
            self._record(EntryKind.UNIT, action, unit, before, unit_snapshot, entry.dn)
            self.unit_dns[entry.ndn] = desired.hsa_id
            self._keep_mapping(EntryKind.UNIT, desired.hsa_id, entry, unit)

    def _attach_unit_relations(self, unit: Unit) -> None:
        """Fill the unit's organisation and parent from memory (snapshots read them)."""
        if not Unit.organisation.is_cached(unit):  # type: ignore[attr-defined]
            unit.organisation = self.organisations_by_pk[unit.organisation_id]
        if unit.parent_id is not None and not Unit.parent.is_cached(unit):  # type: ignore[attr-defined]
            self._ensure_units({unit.parent_id})
            unit.parent = self.units_by_pk[unit.parent_id]
        elif unit.parent_id is None:
            unit.parent = None

    def _unit_by_hsa(self, hsa_id: str) -> Unit | None:
        unit = self.units_by_hsa.get(hsa_id)
        if unit is None:
            row = self.mapped.get((EntryKind.UNIT, hsa_id))
            if row is not None:
                self._ensure_units({row.object_id})
                unit = self.units_by_pk.get(row.object_id)
        return unit

    def _parent_unit(self, ndn: str) -> Unit | None:
        """The nearest unit above, stopping at the care provider."""
        for candidate in _ancestors(ndn):
            if candidate in self.unit_dns:
                hsa_id = self.unit_dns[candidate]
                if hsa_id is None:
                    raise BadEntry(_("Den överordnade enheten hoppades över."))
                return self._unit_by_hsa(hsa_id)
            if candidate in self.provider_dns:
                return None
        return None

    # --- Persons ---------------------------------------------------------------------------

    def persons_step(self) -> None:
        for entry in self.persons:
            try:
                desired = mapping.map_person(entry, today=self.today)
                if desired.hsa_id in self.seen[EntryKind.PERSON]:
                    raise BadEntry(
                        _("HSA-id %(hsa_id)s finns på flera poster; bara den första synkas.")
                        % {"hsa_id": desired.hsa_id}
                    )
                owner = self.personnummer_owner.get(desired.personnummer or "")
                if (
                    desired.personnummer
                    and owner is not None
                    and owner.hsa_id != desired.hsa_id
                    and self._leaving(owner)
                ):
                    self._release_personnummer(owner)
                    owner = None
                if desired.personnummer and owner is not None and owner.hsa_id != desired.hsa_id:
                    raise BadEntry(
                        _("Personnumret finns redan hos en annan person (%(hsa_id)s).")
                        % {"hsa_id": owner.hsa_id}
                    )
            except BadEntry as error:
                known = {_rough_hsa_id(entry)}
                previous = self.person_dns.get(entry.ndn)
                if previous:
                    known.add(previous)
                self.bad_person_keys[entry.ndn] = known
                self.person_dns[entry.ndn] = None
                self._bad(EntryKind.PERSON, entry, error.message)
                continue
            person = self.persons_by_hsa.get(desired.hsa_id)
            mapped = self.mapped.get((EntryKind.PERSON, desired.hsa_id))
            if person is None:
                person = Person(
                    hsa_id=desired.hsa_id,
                    is_active=True,
                    # Persons log in through an identity provider, never with a password.
                    password=UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20),
                )
                before = None
                action = Action.CREATED
                self.persons_by_hsa[desired.hsa_id] = person
            else:
                before = person_snapshot(person)
                action = Action.UPDATED
                if mapped is not None and mapped.removed_at is not None:
                    person.is_active = True
                    action = Action.REACTIVATED
                if person.personnummer and person.personnummer != desired.personnummer:
                    self.personnummer_owner.pop(person.personnummer, None)
            person.given_name = desired.given_name
            person.family_name = desired.family_name
            person.title = desired.title
            person.email = desired.email
            person.personnummer = desired.personnummer
            if desired.personnummer:
                self.personnummer_owner[desired.personnummer] = person
            self._record(EntryKind.PERSON, action, person, before, person_snapshot, entry.dn)
            self.person_dns[entry.ndn] = desired.hsa_id
            self._keep_mapping(EntryKind.PERSON, desired.hsa_id, entry, person)

    def _leaving(self, person: Person) -> bool:
        """A synced person that a full sync did not read: deactivated by this run."""
        return (
            self.full
            and person.pk is not None
            and person.hsa_id not in self.fetched_person_ids
            and (EntryKind.PERSON, person.hsa_id) in self.mapped
        )

    def _release_personnummer(self, person: Person) -> None:
        """A person who got a new HSA-id (a new employer) keeps their personnummer: the
        old, departing record lets go of it."""
        before = person_snapshot(person)
        self.personnummer_owner.pop(person.personnummer or "", None)
        person.personnummer = None
        self._record(EntryKind.PERSON, Action.UPDATED, person, before, person_snapshot)

    def _person_by_hsa(self, hsa_id: str) -> Person | None:
        person = self.persons_by_hsa.get(hsa_id)
        if person is None:
            row = self.mapped.get((EntryKind.PERSON, hsa_id))
            if row is not None:
                self._ensure_persons({row.object_id})
                person = self.persons_by_pk.get(row.object_id)
        return person

    # --- Commissions -----------------------------------------------------------------------

    def _commission_unit(self, ndn: str) -> Unit:
        for candidate in _ancestors(ndn):
            if candidate in self.unit_dns:
                hsa_id = self.unit_dns[candidate]
                if hsa_id is None:
                    raise BadEntry(_("Enheten som uppdraget ligger under hoppades över."))
                unit = self._unit_by_hsa(hsa_id)
                if unit is not None:
                    return unit
            if candidate in self.provider_dns:
                break
        raise BadEntry(_("Uppdraget ligger inte under någon enhet (hsaHealthCareUnit)."))

    def _attach_commission_relations(self, commission: Commission) -> None:
        if not Commission.person.is_cached(commission):  # type: ignore[attr-defined]
            self._ensure_persons({commission.person_id})
            commission.person = self.persons_by_pk[commission.person_id]
        if not Commission.unit.is_cached(commission):  # type: ignore[attr-defined]
            self._ensure_units({commission.unit_id})
            commission.unit = self.units_by_pk[commission.unit_id]
            self._attach_unit_relations(commission.unit)

    def commissions_step(self) -> None:
        for entry in self.commissions:
            rough = _rough_hsa_id(entry)
            try:
                desired = mapping.map_commission(entry)
                if desired.hsa_id in self.seen["commission-entry"]:
                    raise BadEntry(
                        _("HSA-id %(hsa_id)s finns på flera poster; bara den första synkas.")
                        % {"hsa_id": desired.hsa_id}
                    )
                unit = self._commission_unit(entry.ndn) if desired.roles else None
                if unit is not None and not unit.care_type:
                    raise BadEntry(str(rules.NO_CARE_TYPE_MESSAGE))
            except BadEntry as error:
                self.protected_commission_entries.add(rough)
                self._bad(EntryKind.COMMISSION, entry, error.message)
                continue
            self.seen["commission-entry"].add(desired.hsa_id)
            for note in desired.notes:
                self.plan.report(
                    MessageLevel.WARNING,
                    EntryKind.COMMISSION,
                    note,
                    hsa_id=desired.hsa_id,
                    dn=entry.dn,
                )
            wanted: dict[str, tuple[Person, str]] = {}
            for member in desired.member_dns:
                try:
                    member_dn = normalise_dn(member)
                except ValueError:
                    member_dn = member.lower()
                person_hsa = self.person_dns.get(member_dn, "")
                if member_dn in self.bad_person_keys:
                    # The person's entry is bad this run: leave their rows as they are.
                    for key in self.bad_person_keys[member_dn]:
                        self.protected_commission_pairs.add((desired.hsa_id, key))
                    continue
                person = self._person_by_hsa(person_hsa) if person_hsa else None
                if person is None:
                    self.plan.report(
                        MessageLevel.WARNING,
                        EntryKind.COMMISSION,
                        _("Medlemmen %(member)s finns inte som person i katalogen.")
                        % {"member": member},
                        hsa_id=desired.hsa_id,
                        dn=entry.dn,
                    )
                    continue
                for role in desired.roles:
                    wanted[commission_key(desired.hsa_id, person.hsa_id, role)] = (person, role)
            for key, (person, role) in wanted.items():
                assert unit is not None
                self._sync_commission(entry, desired, key, person, unit, role)
            # Rows of this entry that it no longer gives (a member or right removed) end.
            for row in self.mapped_by_entry.get(rough, []):
                if row.key in wanted or row.removed_at is not None:
                    continue
                self.seen[EntryKind.COMMISSION].add(row.key)
                if (desired.hsa_id, row.key.split("|")[1]) in self.protected_commission_pairs:
                    continue
                self._end_commission_row(row)

    def _sync_commission(
        self,
        entry: RawEntry,
        desired: mapping.DesiredCommission,
        key: str,
        person: Person,
        unit: Unit,
        role: str,
    ) -> None:
        mapped = self.mapped.get((EntryKind.COMMISSION, key))
        commission = None
        if mapped is not None and mapped.removed_at is None:
            commission = self.commissions_by_pk.get(mapped.object_id)
        if commission is None and person.pk is not None and unit.pk is not None:
            commission = self.adoptable.pop((person.pk, unit.pk, role), None)
        if commission is None:
            valid_from = desired.valid_from or self.today
            if desired.valid_to is not None:
                valid_from = min(valid_from, desired.valid_to)
            commission = Commission(
                person=person,
                unit=unit,
                role=role,
                purpose=desired.purpose,
                valid_from=valid_from,
                valid_to=desired.valid_to,
            )
            self._record(
                EntryKind.COMMISSION,
                Action.CREATED,
                commission,
                None,
                commission_snapshot,
                entry.dn,
            )
        else:
            self._attach_commission_relations(commission)
            before = commission_snapshot(commission)
            commission.unit = unit
            commission.purpose = desired.purpose
            if desired.valid_from is not None:
                commission.valid_from = desired.valid_from
            commission.valid_to = desired.valid_to
            if commission.valid_to is not None and commission.valid_to < commission.valid_from:
                commission.valid_from = commission.valid_to
            self._record(
                EntryKind.COMMISSION,
                Action.UPDATED,
                commission,
                before,
                commission_snapshot,
                entry.dn,
            )
        self._keep_mapping(EntryKind.COMMISSION, key, entry, commission)

    def _end(self, commission: Commission, dn: str = "") -> bool:
        """End a commission from today (as directory.actions.end_commission does)."""
        self._attach_commission_relations(commission)
        if rules.commission_state(commission, self.today) == "ended":
            return False
        before = commission_snapshot(commission)
        commission.valid_from, commission.valid_to = rules.end_dates(commission, self.today)
        self._record(
            EntryKind.COMMISSION, Action.ENDED, commission, before, commission_snapshot, dn
        )
        return True

    def _end_commission_row(self, row: SyncedEntry) -> None:
        commission = self.commissions_by_pk.get(row.object_id)
        if commission is None:
            loaded = Commission.objects.filter(pk=row.object_id).first()
            if loaded is None:
                return
            commission = self.commissions_by_pk[loaded.pk] = loaded
        self._end(commission, row.dn)
        self._mark_removed(row, commission)

    def _mark_removed(self, row: SyncedEntry, obj: models.Model) -> None:
        self.mapping_rows[(row.kind, row.key)] = MappingRow(
            kind=row.kind,
            key=row.key,
            entry_hsa_id=row.entry_hsa_id,
            dn=row.dn,
            entry_uuid=row.entry_uuid,
            modify_timestamp=row.modify_timestamp,
            obj=obj,
            removed=True,
            entry=row,
        )

    # --- What disappeared (full sync only) ---------------------------------------------------

    def removals_step(self) -> None:
        if not self.full:
            return
        self.plan.in_use = sum(1 for row in self.mapped.values() if row.removed_at is None)
        for (kind, key), row in self.mapped.items():
            if row.removed_at is not None or key in self.seen[kind]:
                continue
            if row.dn in self.protected_dns or key in self.protected_keys[kind]:
                continue
            self.plan.gone += 1
            if kind == EntryKind.COMMISSION:
                commission_hsa, person_hsa, _role = key.split("|")
                if commission_hsa in self.protected_commission_entries:
                    continue
                if (commission_hsa, person_hsa) in self.protected_commission_pairs:
                    continue
                self._end_commission_row(row)
            elif kind == EntryKind.UNIT:
                self._remove_unit(row)
            elif kind == EntryKind.PERSON:
                self._remove_person(row)
            else:
                organisation = self.organisations_by_pk.get(row.object_id)
                self.plan.report(
                    MessageLevel.WARNING,
                    kind,
                    _(
                        "Vårdgivaren %(name)s finns inte längre i katalogen. Organisationer tas "
                        "aldrig bort av synkroniseringen; dess enheter inaktiveras var för sig."
                    )
                    % {"name": organisation.name if organisation else key},
                    hsa_id=key,
                    dn=row.dn,
                )
                if organisation is not None:
                    self._mark_removed(row, organisation)

    def _remove_unit(self, row: SyncedEntry) -> None:
        self._ensure_units({row.object_id})
        unit = self.units_by_pk.get(row.object_id)
        if unit is None or unit.status == UnitStatus.INACTIVE:
            if unit is not None:
                self._mark_removed(row, unit)
            return
        open_cases = self.has_open_cases(unit)
        if open_cases:
            self.plan.conflicts += 1
            self.plan.report(
                MessageLevel.WARNING,
                EntryKind.UNIT,
                _(
                    "Enheten %(unit)s finns inte längre i katalogen men har %(count)s öppna "
                    "ärenden och lämnas aktiv. Flytta ärendena (omorganisation) eller avsluta "
                    "dem; nästa fullständiga synkronisering inaktiverar enheten."
                )
                % {"unit": unit.name, "count": open_cases},
                hsa_id=unit.hsa_id,
                dn=row.dn,
            )
            return
        # As directory.actions.deactivate_unit: its commissions end, the unit is inactive
        # from today, and every row is kept.
        for commission in self._commissions_at(unit):
            self._end(commission, row.dn)
        self._attach_unit_relations(unit)
        before = unit_snapshot(unit)
        last_day = max(unit.valid_from, self.today - dt.timedelta(days=1))
        unit.valid_to = min(unit.valid_to, last_day) if unit.valid_to else last_day
        unit.status = UnitStatus.INACTIVE
        self._record(EntryKind.UNIT, Action.DEACTIVATED, unit, before, unit_snapshot, row.dn)
        self._mark_removed(row, unit)

    def _commissions_at(self, unit: Unit) -> list[Commission]:
        found = []
        for commission in Commission.objects.filter(unit_id=unit.pk):
            found.append(self.commissions_by_pk.setdefault(commission.pk, commission))
        return found

    def _remove_person(self, row: SyncedEntry) -> None:
        self._ensure_persons({row.object_id})
        person = self.persons_by_pk.get(row.object_id)
        if person is None:
            return
        if person.is_active:
            before = person_snapshot(person)
            person.is_active = False
            self._record(
                EntryKind.PERSON, Action.DEACTIVATED, person, before, person_snapshot, row.dn
            )
        self._mark_removed(row, person)

    # --- Putting it together ---------------------------------------------------------------

    def build(self) -> Plan:
        self.load()
        self.organisations_step()
        self.units_step()
        self.persons_step()
        self.commissions_step()
        self.removals_step()
        self.plan.high_water_mark = max((e.modify_timestamp for e in self.entries), default="")
        self.plan.mappings = self._mapping_writes()
        return self.plan

    def _mapping_writes(self) -> list[MappingRow]:
        """Only the mapping rows that are new or differ from what is stored."""
        writes = []
        for row in self.mapping_rows.values():
            stored = row.entry
            if (
                stored is None
                or stored.dn != row.dn
                or stored.entry_hsa_id != row.entry_hsa_id
                or stored.entry_uuid != row.entry_uuid
                or stored.modify_timestamp != row.modify_timestamp
                or (stored.removed_at is not None) != row.removed
                or row.obj.pk is None
                or stored.object_id != row.obj.pk
            ):
                writes.append(row)
        return writes


def build_plan(
    entries: list[RawEntry],
    *,
    mode: str,
    today: dt.date,
    now: dt.datetime,
) -> Plan:
    return PlanBuilder(entries, mode=mode, today=today, now=now).build()


ROLE_LABELS = dict(Role.choices)
KIND_LABELS = dict(EntryKind.choices)
ACTION_SIGNS = {
    Action.CREATED: "+",
    Action.UPDATED: "~",
    Action.REACTIVATED: "~",
    Action.ENDED: "-",
    Action.DEACTIVATED: "-",
}


def describe(change: Change) -> str:
    """One line of the diff that a dry run prints."""
    kind = str(KIND_LABELS.get(change.kind, change.kind)).lower()
    after = change.after
    if change.kind == EntryKind.COMMISSION:
        subject = (
            f"{after['person']} @ {after['unit']} ({ROLE_LABELS.get(after['role'], after['role'])})"
        )
    elif change.kind == EntryKind.ORGANISATION:
        subject = f"{after['org_number']} {after['name']}"
    elif change.kind == EntryKind.PERSON:
        subject = f"{after['hsa_id']} {after['given_name']} {after['family_name']}"
    else:
        subject = f"{after['hsa_id']} {after['name']}"
    sign = ACTION_SIGNS[change.action]
    if change.action == Action.CREATED:
        return f"{sign} {kind} {subject}"
    fields = ", ".join(
        f"{name}: {(change.before or {}).get(name)!r} → {after.get(name)!r}"
        for name in change.changed_fields
    )
    verb = {
        Action.UPDATED: _("ändras"),
        Action.REACTIVATED: _("åter i katalogen"),
        Action.ENDED: _("avslutas"),
        Action.DEACTIVATED: _("inaktiveras"),
    }[change.action]
    return f"{sign} {kind} {subject} {verb}: {fields}"
