"""Central administration's run reports, after a real sync against slapd."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brygga.directory_sync.examples import example_run
from brygga.directory_sync.models import SyncRun
from brygga.directory_sync.testserver import TestSlapd

from .conftest import REGION_ORG, WARD, hsa, person_attributes, person_dn

pytestmark = pytest.mark.django_db


def test_central_administration_reads_the_report_of_a_real_run(
    sync: Callable[..., Any], slapd: TestSlapd, login_as: Callable[..., Client]
) -> None:
    slapd.add(
        person_dn("Felix Fel"),
        person_attributes("Anna Andersson")
        | {"cn": "Felix Fel", "givenName": "Felix", "hsaIdentity": "SE2321000017-P9"},
    )
    slapd.replace(f"cn=Vård avdelning 61,{WARD}", {"hsaCommissionPurpose": "Okänt syfte"})
    result = sync("full")
    run = result.run
    assert run is not None
    eva = login_as("eva")

    listing = eva.get(reverse("directory_sync:runs"))

    assert listing.status_code == 200
    page = listing.content.decode()
    assert reverse("directory_sync:run", args=[run.pk]) in page
    assert "Fullständig" in page and "Klar" in page

    report = eva.get(reverse("directory_sync:run", args=[run.pk]))

    text = report.content.decode()
    assert "SE2321000017-P9" in text
    assert "Ogiltigt HSA-id" in text
    assert hsa(REGION_ORG, "U0061") in text and "Okänt syfte" in text
    assert f"<dd>{run.skipped}</dd>" in text
    only_errors = eva.get(reverse("directory_sync:run", args=[run.pk]), {"niva": "error"})
    assert only_errors.content.decode().count('class="tag tag--sync-error"') == run.skipped


def test_a_failed_run_shows_why(login_as: Callable[..., Client]) -> None:
    run = SyncRun.objects.create(
        mode="incremental",
        status="failed",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        started_by="system:directory_sync",
        failure="Katalogservern ldaps://katalog.example.se kunde inte nås: Can't contact server",
        errors=1,
    )

    response = login_as("eva").get(reverse("directory_sync:run", args=[run.pk]))

    assert "kunde inte nås" in response.content.decode()
    assert "Misslyckades" in response.content.decode()


def test_local_ek_administrators_do_not_see_the_reports(login_as: Callable[..., Client]) -> None:
    run = example_run(now=timezone.now())

    assert login_as("sofia").get(reverse("directory_sync:run", args=[run.pk])).status_code == 403
    assert (
        login_as("eva").get(reverse("directory_sync:run", args=[run.pk]) + "x").status_code == 404
    )
    assert (
        login_as("eva").get(reverse("directory_sync:run", args=[run.pk + 1000])).status_code == 404
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_run_pages_in_a_browser(page: Any, demo: Any, check_a11y: Any) -> None:
    run = example_run(now=timezone.now())
    page.goto("/konto/logga-in/")
    page.get_by_role("button", name="Logga in som Eva Sandberg").click()
    page.get_by_role("heading", level=1).wait_for()

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Katalogsynk").click()
    page.get_by_role("heading", name="Katalogsynkronisering (HSA/EK)").wait_for()
    check_a11y(page)
    page.get_by_role(
        "link", name=timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M")
    ).click()
    page.get_by_role("heading", name="Rapport").wait_for()
    assert "SE2321000017-P9" in page.content()
    check_a11y(page)
    page.get_by_role("link", name="Varning (1)").click()
    page.get_by_role("heading", name="Rapport").wait_for()
    assert "SE2321000017-P9" not in page.content()
    assert "öppna ärenden" in page.content()
    check_a11y(page)
