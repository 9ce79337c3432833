"""The registries' sub-navigation (templates/includes/registry_nav.html) links talent only for talent roles.

Whether a user may read a village's talent comes from talent (its context processor), so projects'
templates need nothing from talent or portal to draw the links.
"""

from django.urls import reverse


def _nav(html: str) -> str:
    start = html.index('<nav class="subnav"')
    return html[start : html.index("</nav>", start)]


def test_registry_nav_on_village_projects_links_talent_for_cadre(client, cadre, village):
    client.force_login(cadre)
    nav = _nav(client.get(reverse("projects:village_list", kwargs={"code": village.code})).content.decode())
    assert reverse("projects:village_list", kwargs={"code": village.code}) in nav
    assert reverse("talent:village_list", kwargs={"code": village.code}) in nav
    assert reverse("talent:council", kwargs={"code": village.code}) in nav


def test_registry_nav_on_village_projects_hides_talent_from_member(client, member, village):
    client.force_login(member)
    nav = _nav(client.get(reverse("projects:village_list", kwargs={"code": village.code})).content.decode())
    assert reverse("projects:village_list", kwargs={"code": village.code}) in nav
    assert reverse("talent:village_list", kwargs={"code": village.code}) not in nav


def test_registry_nav_township_wide_links_talent_for_official(client, official, village):
    client.force_login(official)
    nav = _nav(client.get(reverse("projects:list")).content.decode())
    assert reverse("talent:list") in nav
    assert reverse("talent:committees") in nav


def test_registry_nav_township_wide_hides_talent_from_member(client, member, village):
    client.force_login(member)
    nav = _nav(client.get(reverse("projects:list")).content.decode())
    assert reverse("projects:partners") in nav
    assert reverse("talent:list") not in nav
