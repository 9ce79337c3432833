"""The one village accessor (accounts.permissions.access_village) that every app's village pages use."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse

from accounts.permissions import access_village, can_manage_village, can_view_village_workspace


def test_access_village_by_member_returns_the_village(village, member):
    assert access_village(member, village.code) == village


def test_access_village_by_official_of_the_township_returns_the_village(village, official):
    assert access_village(official, village.code) == village


def test_access_village_missing_code_is_404(cadre):
    with pytest.raises(Http404, match="No village with this code for this user"):
        access_village(cadre, "no-such-village")


def test_access_village_of_another_village_is_404(other_village, cadre):
    with pytest.raises(Http404, match="No village with this code for this user"):
        access_village(cadre, other_village.code)


def test_access_village_anonymous_is_404(village):
    with pytest.raises(Http404, match="No village with this code for this user"):
        access_village(AnonymousUser(), village.code)


def test_access_village_with_check_refused_is_404(village, member):
    assert can_view_village_workspace(member, village)
    assert not can_manage_village(member, village)
    with pytest.raises(Http404, match="No village with this code for this user"):
        access_village(member, village.code, check=can_manage_village)


def test_access_village_with_check_allowed_returns_the_village(village, cadre):
    assert access_village(cadre, village.code, check=can_manage_village) == village


def test_talent_import_template_for_roundtable_member_is_404(client, member):
    client.force_login(member)
    response = client.get(reverse("talent:import_template", kwargs={"fmt": "csv"}))
    assert response.status_code == 404


def test_talent_import_template_unknown_format_is_404(client, cadre):
    client.force_login(cadre)
    response = client.get("/work/import-template/talent.pdf")
    assert response.status_code == 404


def test_import_template_of_unknown_registry_is_404(client, cadre):
    client.force_login(cadre)
    assert client.get("/work/import-template/partners.csv").status_code == 404
