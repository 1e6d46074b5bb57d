"""The order pages through the test client: forms, refusals shown in Swedish, the review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brygga.administration.models import AccessOrder, OrderStatus, UnitOrder, UnitOrderKind
from brygga.cases.reorganisation import open_cases_at
from brygga.demo.world import make_test_personnummer
from brygga.directory.models import Commission, Unit

pytestmark = pytest.mark.django_db

Login = Callable[..., Client]


def test_manager_orders_a_new_unit_through_the_form(login_as: Login) -> None:
    client = login_as("ingela")
    url = reverse("administration:unit_order_create", args=["ny-enhet"])
    page = client.get(url)
    assert "Beställ: Ny enhet" in page.content.decode()
    data = {
        "name": "Vårdcentral Bagartorp",
        "hsa_id": "se2321000016-e0777",
        "care_type": "primary_care",
        "start_on": timezone.localdate().isoformat(),
        "municipality_code": "0184",
    }
    before = UnitOrder.objects.count()
    refused = client.post(url, data)  # no attestation
    assert refused.status_code == 200
    assert "Kryssa i intygandet" in refused.content.decode()
    assert UnitOrder.objects.count() == before
    response = client.post(url, data | {"attested": "on"})
    order = UnitOrder.objects.get(proposed_units__hsa_id="SE2321000016-E0777")
    assert response.status_code == 302 and response["Location"] == reverse(
        "administration:unit_order_detail", args=[order.pk]
    )
    detail = client.get(response["Location"]).content.decode()
    assert "Vårdcentral Bagartorp" in detail and "Intygat av Ingela Rask" in detail


def test_unknown_order_kind_is_404(login_as: Login) -> None:
    response = login_as("ingela").get("/administration/enheter/ny/flytt/")
    assert response.status_code == 404


def test_refused_removal_lists_the_open_cases_without_patient_names(
    login_as: Login, demo: Any
) -> None:
    client = login_as("ingela")
    url = reverse("administration:unit_order_create", args=["borttagning"])
    response = client.post(url, {"comment": "Vi stänger.", "attested": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    cases = list(open_cases_at(demo.unit("vc_solna")))
    assert "kan inte tas bort" in html
    for case in cases:
        assert reverse("cases:detail", args=[case.pk]) in html
        assert case.patient.family_name not in html
    assert not UnitOrder.objects.filter(kind=UnitOrderKind.REMOVAL).exists()


def test_central_admin_approves_a_merge_through_the_pages(login_as: Login, demo: Any) -> None:
    ingela = login_as("ingela")
    sundbyberg = demo.unit("vc_sundbyberg")
    moved = list(open_cases_at(sundbyberg))
    response = ingela.post(
        reverse("administration:unit_order_create", args=["sammanslagning"]),
        {"others": [sundbyberg.pk], "into": "own", "move_commissions": "on", "attested": "on"},
    )
    assert response.status_code == 302
    order = UnitOrder.objects.get(kind=UnitOrderKind.MERGE)
    eva = login_as("eva")
    confirm = eva.get(reverse("administration:unit_order_approve", args=[order.pk]))
    assert "flyttas till enheten som tar över" in confirm.content.decode()
    assert (
        eva.post(reverse("administration:unit_order_approve", args=[order.pk]), {}).status_code
        == 302
    )
    order.refresh_from_db()
    sundbyberg.refresh_from_db()
    assert order.status == OrderStatus.APPROVED and sundbyberg.status == "inactive"
    # The continuing unit now works in the moved cases and sees what happened in each.
    for case in moved:
        page = ingela.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert (
            "Ärendet flyttades från Vårdcentral Sundbyberg till Vårdcentral Solna Centrum "
            "(omorganisation)." in page
        )
        assert "Flyttat vid omorganisation" in page


def test_reject_page_needs_a_reason(login_as: Login) -> None:
    order = UnitOrder.objects.get()
    eva = login_as("eva")
    url = reverse("administration:unit_order_reject", args=[order.pk])
    assert "Skriv varför" in eva.post(url, {"reason": ""}).content.decode()
    eva.post(url, {"reason": "HSA-id är inte registrerat i HSA."})
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED
    detail = login_as("ingela").get(reverse("administration:unit_order_detail", args=[order.pk]))
    assert "HSA-id är inte registrerat i HSA." in detail.content.decode()
    # A decided order is not offered for a decision again.
    again = eva.get(reverse("administration:unit_order_approve", args=[order.pk]))
    assert again.status_code == 302
    assert again["Location"] == reverse("administration:unit_order_detail", args=[order.pk])


def test_orderer_withdraws_a_unit_order_and_cannot_withdraw_it_twice(login_as: Login) -> None:
    order = UnitOrder.objects.get()
    detail = reverse("administration:unit_order_detail", args=[order.pk])
    cancel = reverse("administration:unit_order_cancel", args=[order.pk])
    ingela = login_as("ingela")
    assert ingela.get(cancel).status_code == 200
    response = ingela.post(cancel, {})
    assert response.status_code == 302 and response["Location"] == detail
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    again = ingela.post(cancel, {}, follow=True)
    assert again.redirect_chain == [(detail, 302)]
    assert "Beställningen är redan återkallad." in again.content.decode()


def test_ek_admin_refuses_an_access_order_with_a_reason_the_manager_sees(
    login_as: Login, demo: Any
) -> None:
    order = AccessOrder.objects.get(ordered_by=demo.person("lars"))
    detail = reverse("administration:access_order_detail", args=[order.pk])
    reject = reverse("administration:access_order_reject", args=[order.pk])
    sofia = login_as("sofia")
    assert "Skriv varför" in sofia.post(reject, {"reason": ""}).content.decode()
    response = sofia.post(reject, {"reason": "Personen har redan behörighet."})
    assert response.status_code == 302 and response["Location"] == detail
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED
    lars = login_as("lars")
    assert "Personen har redan behörighet." in lars.get(detail).content.decode()
    # A decided order can be neither refused again nor withdrawn.
    assert sofia.get(reject)["Location"] == detail
    cancel = reverse("administration:access_order_cancel", args=[order.pk])
    assert lars.post(cancel, {})["Location"] == detail
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED


def test_access_order_form_register_and_review(login_as: Login, demo: Any) -> None:
    lars = login_as("lars")
    number = make_test_personnummer(dt.date(1992, 3, 29), 982)
    response = lars.post(
        reverse("administration:access_order_create"),
        {
            "given_name": "Vera",
            "family_name": "Lindh",
            "personnummer": f"{number[:8]}-{number[8:]}",
            "role": "user",
            "valid_from": timezone.localdate().isoformat(),
            "attested": "on",
        },
    )
    assert response.status_code == 302
    order = AccessOrder.objects.get(personnummer=number)
    sofia = login_as("sofia")
    queue = sofia.get(reverse("administration:access_order_queue")).content.decode()
    assert "Vera Lindh" in queue
    register = reverse("administration:access_order_register", args=[order.pk])
    refused = sofia.post(
        register, {"hsa_id": "SE2199001849-X1", "valid_from": timezone.localdate()}
    )
    assert "SE2321000016-" in refused.content.decode()  # another organisation's HSA-id
    sofia.post(register, {"hsa_id": "SE2321000016-P9100", "valid_from": timezone.localdate()})
    order.refresh_from_db()
    assert order.status == OrderStatus.REGISTERED

    review = lars.get(reverse("administration:access_review")).content.decode()
    assert "Vera Lindh" in review and "Aldrig" in review


def test_choosing_a_commission_at_login_is_the_last_use_shown_in_the_review(
    login_as: Login, demo: Any
) -> None:
    anna = demo.person("anna")
    commission = Commission.objects.get(person=anna)
    before = timezone.now()
    assert commission.last_used_at is None or commission.last_used_at < before
    client = Client()
    client.post(reverse("accounts:login"), {"person": anna.pk})
    commission.refresh_from_db()
    assert commission.last_used_at is not None and commission.last_used_at >= before
    local = timezone.localtime(commission.last_used_at)
    review = login_as("lars").get(reverse("administration:access_review")).content.decode()
    assert f"{local:%Y-%m-%d %H:%M}" in review


def test_review_hides_ended_access_unless_asked(login_as: Login, demo: Any) -> None:
    lars = login_as("lars")
    gustav = demo.person("gustav").full_name
    assert gustav not in lars.get(reverse("administration:access_review")).content.decode()
    assert (
        gustav in lars.get(reverse("administration:access_review") + "?visa=alla").content.decode()
    )


def test_new_unit_appears_in_the_directory_after_approval(login_as: Login) -> None:
    order = UnitOrder.objects.get()
    login_as("eva").post(
        reverse("administration:unit_order_approve", args=[order.pk]), {"note": ""}
    )
    unit = Unit.objects.get(hsa_id="SE2321000016-E0708")
    assert unit.valid_from == timezone.localdate() + dt.timedelta(days=30)
