"""A finished sync run with a report, for the permission matrix and the page tests."""

from __future__ import annotations

import datetime as dt

from .models import EntryKind, MessageLevel, RunStatus, SyncMessage, SyncMode, SyncRun


def example_run(*, now: dt.datetime) -> SyncRun:
    """A finished full sync with one skipped entry and one conflict, as a report shows them."""
    run = SyncRun.objects.create(
        mode=SyncMode.FULL,
        status=RunStatus.SUCCEEDED,
        started_at=now - dt.timedelta(minutes=2),
        finished_at=now - dt.timedelta(minutes=1),
        started_by="system:directory_sync",
        server="ldaps://katalog.example.se",
        entries_read=1200,
        created=3,
        updated=5,
        ended=1,
        skipped=1,
        conflicts=1,
        errors=1,
        high_water_mark="20260101120000Z",
    )
    SyncMessage.objects.bulk_create(
        [
            SyncMessage(
                run=run,
                level=MessageLevel.ERROR,
                kind=EntryKind.PERSON,
                hsa_id="SE2321000017-P9",
                dn="cn=Felix Fel,ou=Personal,o=Region Stockholm,l=Stockholms län,c=SE",
                text="Ogiltigt HSA-id SE2321000017-P9: Organisationsnumret 2321000017 i HSA-id "
                "har fel kontrollsiffra.",
            ),
            SyncMessage(
                run=run,
                level=MessageLevel.WARNING,
                kind=EntryKind.UNIT,
                hsa_id="SE2321000016-E0100",
                text="Enheten Vårdcentral Testby finns inte längre i katalogen men har 2 öppna "
                "ärenden och lämnas aktiv.",
            ),
        ]
    )
    return run
