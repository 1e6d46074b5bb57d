"""Who may see and manage what in the directory, through the pages and the access helpers."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from brygga.core.actor import Actor
from brygga.directory import access
from brygga.directory.models import Commission, Role

from .conftest import LoginAs, World

pytestmark = pytest.mark.django_db


def all_urls(world: World) -> list[str]:
    """Every directory page, with the pks of rows in the EK admin's own organisation."""
    return [
        reverse("directory:index"),
        reverse("directory:organisation_list"),
        reverse("directory:organisation_create"),
        reverse("directory:organisation_detail", args=[world.region.pk]),
        reverse("directory:organisation_update", args=[world.region.pk]),
        reverse("directory:unit_list"),
        reverse("directory:unit_create"),
        reverse("directory:unit_detail", args=[world.ward.pk]),
        reverse("directory:unit_update", args=[world.ward.pk]),
        reverse("directory:person_list"),
        reverse("directory:person_create"),
        reverse("directory:person_detail", args=[world.nils.pk]),
        reverse("directory:person_update", args=[world.nils.pk]),
        reverse("directory:commission_list"),
        reverse("directory:commission_create"),
        reverse("directory:commission_detail", args=[world.nurse.pk]),
        reverse("directory:commission_update", args=[world.nurse.pk]),
        reverse("directory:commission_end", args=[world.nurse.pk]),
    ]


def foreign_urls(world: World) -> list[str]:
    """Pages for rows outside org A: the private provider's, and central administration's."""
    return [
        reverse("directory:organisation_detail", args=[world.private.pk]),
        reverse("directory:organisation_update", args=[world.private.pk]),
        reverse("directory:unit_detail", args=[world.clinic.pk]),
        reverse("directory:unit_update", args=[world.clinic.pk]),
        reverse("directory:person_detail", args=[world.pia.pk]),
        reverse("directory:person_update", args=[world.pia.pk]),
        reverse("directory:commission_detail", args=[world.doctor.pk]),
        reverse("directory:commission_update", args=[world.doctor.pk]),
        reverse("directory:commission_end", args=[world.doctor.pk]),
        # Central administration's own person and commission are theirs to manage.
        reverse("directory:person_detail", args=[world.cecilia.pk]),
        reverse("directory:commission_detail", args=[world.central_admin.pk]),
        reverse("directory:commission_end", args=[world.central_admin.pk]),
    ]


def test_plain_user_gets_403_on_every_page(world: World, login_as: LoginAs) -> None:
    client = login_as(world.nurse)
    for url in all_urls(world):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x"}).status_code == 403, url
    world.nurse.refresh_from_db()
    assert world.nurse.valid_to is None


def test_manager_gets_403(world: World, login_as: LoginAs) -> None:
    world.nurse.role = Role.MANAGER
    world.nurse.save()
    client = login_as(world.nurse)
    assert client.get(reverse("directory:index")).status_code == 403


def test_anonymous_is_sent_to_login(world: World, client: object) -> None:
    response = client.get(reverse("directory:unit_list"))  # type: ignore[attr-defined]
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_ek_admin_reaches_own_pages(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    for url in all_urls(world):
        if url == reverse("directory:organisation_create"):
            continue
        assert client.get(url).status_code == 200, url


def test_ek_admin_cannot_create_organisations(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    url = reverse("directory:organisation_create")
    assert client.get(url).status_code == 403
    response = client.post(url, {"name": "Ny AB", "org_number": "5560000001", "kind": "private"})
    assert response.status_code == 403
    assert not world.region.__class__.objects.filter(org_number="5560000001").exists()


def test_ek_admin_gets_404_for_other_organisations_rows(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    for url in foreign_urls(world):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Kapat"}).status_code == 404, url
    world.clinic.refresh_from_db()
    world.doctor.refresh_from_db()
    assert world.clinic.name == "Husläkarmottagningen Privat"
    assert world.doctor.valid_to is None


def test_missing_pk_is_the_same_404(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    assert client.get(reverse("directory:unit_detail", args=[999999])).status_code == 404


def test_ek_admin_lists_only_own_organisation(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    units = client.get(reverse("directory:unit_list")).content.decode()
    assert "Avdelning 12 Karolinska" in units
    assert "Husläkarmottagningen Privat" not in units
    persons = client.get(reverse("directory:person_list")).content.decode()
    assert "Nilsson" in persons
    assert "Privat" not in persons
    assert "Centralsson" not in persons
    commissions = client.get(reverse("directory:commission_list")).content.decode()
    assert "Nilsson" in commissions
    assert "Pia" not in commissions
    organisations = client.get(reverse("directory:organisation_list")).content.decode()
    assert "Region Stockholm" in organisations
    assert "Privatläkarna AB" not in organisations


def test_central_admin_reaches_everything(world: World, login_as: LoginAs) -> None:
    client = login_as(world.central_admin)
    for url in all_urls(world) + foreign_urls(world):
        if url.endswith(f"/uppdrag/{world.central_admin.pk}/avsluta/"):
            continue  # ending one's own commission is refused, but the page shows
        assert client.get(url).status_code == 200, url
    units = client.get(reverse("directory:unit_list")).content.decode()
    assert "Husläkarmottagningen Privat" in units


def test_helpers_for_ek_admin(world: World, ek_actor: Actor) -> None:
    assert set(access.manageable_organisations(ek_actor)) == {world.region}
    assert world.clinic not in access.manageable_units(ek_actor)
    assert set(access.manageable_persons(ek_actor)) == {world.eva, world.nils}
    assert world.central_admin not in access.manageable_commissions(ek_actor)
    assert world.doctor not in access.manageable_commissions(ek_actor)
    assert Role.CENTRAL_ADMIN not in access.grantable_roles(ek_actor)
    with pytest.raises(Http404):
        access.access_unit(ek_actor, world.clinic.pk)
    with pytest.raises(Http404):
        access.access_person(ek_actor, world.pia.pk)
    assert access.access_unit(ek_actor, world.ward.pk) == world.ward


def test_ek_admin_of_organisation_without_own_ek_admin_manages_nothing(world: World) -> None:
    # Someone at the private provider with an EK admin commission: the provider has no
    # own EK administration, so central administration handles it.
    commission = Commission.objects.create(
        person=world.pia, unit=world.clinic, role=Role.EK_ADMIN, valid_from=world.doctor.valid_from
    )
    actor = Actor(person=world.pia, commission=commission)
    assert access.may_use_directory(actor)
    assert not access.manageable_organisations(actor).exists()
    assert not access.manageable_units(actor).exists()
    assert not access.manageable_persons(actor).exists()
    assert not access.manageable_commissions(actor).exists()
    with pytest.raises(Http404):
        access.access_unit(actor, world.clinic.pk)


def test_ek_admin_without_own_ek_admin_sees_notice_and_404(world: World, login_as: LoginAs) -> None:
    commission = Commission.objects.create(
        person=world.pia, unit=world.clinic, role=Role.EK_ADMIN, valid_from=world.doctor.valid_from
    )
    client = login_as(commission)
    response = client.get(reverse("directory:index"))
    assert response.status_code == 200
    assert "administreras av central förvaltning" in response.content.decode()
    assert client.get(reverse("directory:unit_detail", args=[world.clinic.pk])).status_code == 404
