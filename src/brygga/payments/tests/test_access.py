"""The answers the region's invoicing role (Olle) and a municipal invoicing commission get.

The shared permission matrix has no invoicing persona; this is its column for payments.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brygga.directory.models import Commission, Role
from brygga.payments.demo import matrix_subjects
from brygga.testing import log_in

pytestmark = pytest.mark.django_db

OLLE = {
    "payments:basis": ("", 200),
    "payments:export": ("payments_export", 302),  # first choose a municipality
    "payments:case": ("payments_case", 200),
    "payments:support_refusal": ("payments_case", 403),  # the municipality records refusals
    "payments:dispute": ("payments_case", 405),
    "payments:disputes": ("", 200),
    "payments:resolve": ("payments_dispute", 405),
    "payments:agreements": ("", 200),
    "payments:agreement_create": ("", 200),
    "payments:agreement_detail": ("payments_agreement", 200),
    "payments:amounts": ("", 200),
}


@pytest.mark.parametrize("url_name", sorted(OLLE))
def test_the_regions_invoicing_role(url_name: str, login_as: Any, demo: Any) -> None:
    subject, expected = OLLE[url_name]
    args = matrix_subjects(demo)[subject] if subject else []
    response = login_as("olle").get(reverse(url_name, args=args))
    assert response.status_code == expected


def test_an_invoicing_commission_at_a_municipality_sees_only_its_own(demo: Any) -> None:
    per = demo.person("per")
    commission = Commission.objects.create(
        person=per,
        unit=demo.unit("admin_solna"),
        role=Role.INVOICING,
        valid_from=timezone.localdate(),
    )
    client = log_in(Client(), per, commission)
    response = client.get(reverse("payments:basis"), {"kommun": "0117"})
    assert response.status_code == 200 and response.context["basis"].code == "0184"
    assert client.get(reverse("payments:agreements")).status_code == 403
