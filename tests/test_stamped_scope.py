"""A staff user's scope and a dashboard list's places are kept in the cache until a membership or a place
changes (core.stamped, issue 13): a page after the first reads neither from the database, and every kind of
change is seen by the next page."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from accounts.selectors import scope_for
from core import stamped
from dashboards.permissions import dashboard_places
from tests.factories import DistrictFactory, TownshipFactory, VillageFactory, make_user
from villages.selectors import PLACES_STAMP

pytestmark = pytest.mark.django_db

LIST = "/work/dashboard/issues/"


def _scope_reads(ctx):
    return [
        q["sql"]
        for q in ctx.captured_queries
        if '"accounts_membership"' in q["sql"] or 'FROM "villages_village"' in q["sql"]
    ]


def test_a_second_page_reads_no_scope_and_no_places(client, official, village, other_village):
    client.force_login(official)
    with CaptureQueriesContext(connection) as first:
        assert client.get(LIST).status_code == 200
    with CaptureQueriesContext(connection) as second:
        response = client.get(LIST)
    assert response.status_code == 200
    assert _scope_reads(first) and not _scope_reads(second)
    html = response.content.decode()
    assert village.name in html and other_village.name in html  # the filter's villages, from the cache


def test_a_membership_taken_away_is_seen_by_the_next_page(client, cadre, village):
    client.force_login(cadre)
    url = reverse("workspace:village", kwargs={"code": village.code})
    for _ in range(2):  # the second is served from the cache
        assert client.get(url).status_code == 200
    Membership.objects.filter(user=cadre).get().delete()
    assert client.get(url).status_code == 404


def test_a_membership_given_is_seen_by_the_next_page(client, cadre, village, other_village):
    client.force_login(cadre)
    url = reverse("workspace:village", kwargs={"code": other_village.code})
    for _ in range(2):
        assert client.get(url).status_code == 404
    Membership.objects.create(user=cadre, role=Membership.Role.CADRE, village=other_village)
    assert client.get(url).status_code == 200


def test_a_village_added_renamed_or_moved_is_seen_by_the_next_list(client, official, village, township):
    client.force_login(official)
    for _ in range(2):
        assert "新名村" not in client.get(LIST).content.decode()
    added = VillageFactory(township=township, name="新名村", code="xinming")
    assert "新名村" in client.get(LIST).content.decode()
    added.name = "改名村"
    added.save()
    html = client.get(LIST).content.decode()
    assert "改名村" in html and "新名村" not in html
    added.township = TownshipFactory(code="elsewhere", name="别的镇")
    added.save()
    assert "改名村" not in client.get(LIST).content.decode()


def test_a_township_moved_to_another_district_leaves_its_district_officials_scope(village):
    district_official = make_user(Membership.Role.DISTRICT_OFFICIAL, village=village)
    for _ in range(2):
        district_official = type(district_official).objects.get(pk=district_official.pk)  # a request
        assert village.township_id in scope_for(district_official).district_township_ids
        assert dashboard_places(district_official)
    other = DistrictFactory(code="far", name="远区")
    village.township.district = other
    village.township.save()
    district_official = type(district_official).objects.get(pk=district_official.pk)  # a new request
    assert village.township_id not in scope_for(district_official).district_township_ids
    assert dashboard_places(district_official) == []


def test_a_value_read_before_the_commit_is_not_served_after_it(django_capture_on_commit_callbacks):
    """A page that read the rows just before an administrator's change committed keeps them under the
    stamp of that moment; the renewal at the commit makes the next page read again."""
    stamp, key = f"{PLACES_STAMP}-test", "value-test"
    stamped.read(stamp, key, lambda: "first")  # sets the stamp
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stamped.renew(stamp)
        # Before the commit, another request reads the old rows and keeps them under the new stamp.
        assert stamped.read(stamp, key, lambda: "old rows") == "old rows"
        assert stamped.read(stamp, key, lambda: "not read") == "old rows"
    assert callbacks
    for callback in callbacks:
        callback()  # the commit
    assert stamped.read(stamp, key, lambda: "committed rows") == "committed rows"


def test_without_a_stamp_values_are_computed_and_not_kept():
    stamp, key = f"{PLACES_STAMP}-gone", "value-gone"
    cache.delete(stamp)
    assert stamped.read(stamp, key, lambda: 1) == 1
    assert cache.get(key) is None
    assert cache.get(stamp) is not None  # the next read keeps its value
    assert stamped.read(stamp, key, lambda: 2) == 2
    assert stamped.read(stamp, key, lambda: 3) == 2


def test_values_are_kept_five_minutes_at_most(monkeypatch):
    timeouts = []
    real_set = cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        timeouts.append(timeout)
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", recording_set)
    stamp, key = f"{PLACES_STAMP}-ttl", "value-ttl"
    stamped.renew(stamp)
    timeouts.clear()
    stamped.read(stamp, key, lambda: "x")
    assert timeouts == [stamped.TIMEOUT] and stamped.TIMEOUT <= 300


def test_an_unreachable_cache_reads_the_database_and_a_change_still_saves(
    monkeypatch, client, cadre, village
):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get_many", "set_many", "set", "add"):
        monkeypatch.setattr(cache, name, broken)
    assert stamped.read("stamp-down", "value-down", lambda: "from the database") == "from the database"
    Membership.objects.create(
        user=cadre, role=Membership.Role.SUPERVISOR, village=village
    )  # renews: no error
    client.force_login(cadre)
    assert client.get(reverse("workspace:village", kwargs={"code": village.code})).status_code == 200


def test_the_search_reads_its_villages_once_and_sees_a_village_added(client, official, village, township):
    from tests.roundtable_helpers import raise_issue

    client.force_login(official)
    url = reverse("workspace:search")
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert "水渠新修" not in client.get(url, {"q": "水渠新"}).content.decode()
    assert not _scope_reads(ctx)
    added = VillageFactory(township=township, name="新名村", code="xinming")
    raise_issue(added, title="水渠新修")
    assert "水渠新修" in client.get(url, {"q": "水渠新"}).content.decode()


def test_the_cadre_list_shows_the_kept_groups_and_sees_a_group_added_or_renamed(client, cadre, village):
    from villages.models import VillageGroup

    client.force_login(cadre)
    url = reverse("roundtable:issues", kwargs={"code": village.code})
    groups = list(village.groups.order_by("order", "name"))
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        for group in groups:
            assert f'<option value="{group.pk}">{group.name}</option>' in html
    assert not [q for q in ctx.captured_queries if 'FROM "villages_villagegroup"' in q["sql"]]
    added = VillageGroup.objects.create(village=village, name="<新>小组", order=99)
    html = client.get(url).content.decode()
    assert f'<option value="{added.pk}">&lt;新&gt;小组</option>' in html
    added.name = "改名小组"
    added.save()
    html = client.get(url, {"group": added.pk}).content.decode()
    assert f'<option value="{added.pk}" selected>改名小组</option>' in html
    # A group chosen is checked against the village's groups: another village's is refused, not shown.
    other = VillageGroup.objects.create(
        village=VillageFactory(township=village.township, code="o"), name="外"
    )
    response = client.get(url, {"group": other.pk})
    assert response.status_code == 200 and "外</option>" not in response.content.decode()


def test_a_database_made_again_never_reads_another_accounts_kept_scope(cadre, village):
    """Numbers are given anew when a database is made again without the signals (a reset, a restore into
    a new database): a kept scope is keyed by the account's number and the moment it was made."""
    import datetime

    from accounts.models import User

    for _ in range(2):  # kept
        assert scope_for(User.objects.get(pk=cadre.pk)).village_roles
    Membership.objects.filter(user=cadre)._raw_delete(Membership.objects.db)  # no signal: nothing renewed
    assert scope_for(User.objects.get(pk=cadre.pk)).village_roles  # the same account: kept (5 min at most)
    another = User.objects.get(pk=cadre.pk)
    another.date_joined += datetime.timedelta(seconds=1)  # another account, given the same number
    assert not scope_for(another).has_any()
