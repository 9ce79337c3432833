"""``field__any=[…]`` (core.lookups): the rows of ``__in``, with one array parameter on PostgreSQL instead of
a placeholder a value (issue 13: a district's lists filter by 400 villages)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roundtable.models import Issue, Meeting
from tests.factories import VillageFactory
from tests.roundtable_helpers import raise_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def issues(village, other_village):
    third = VillageFactory(township=village.township, name="三村", code="third")
    rows = [raise_issue(v, title=f"事项{n}") for n, v in enumerate([village, other_village, third, village])]
    return rows, [village, other_village, third]


@pytest.mark.parametrize(
    "pick", [[0], [0, 1], [1, 2, 2], [], [0, None]], ids=["one", "two", "duplicates", "none", "null"]
)
def test_any_finds_the_rows_in_finds(issues, pick):
    rows, villages = issues
    ids = [villages[i].pk if i is not None else None for i in pick]
    expected = set(Issue.objects.filter(village_id__in=ids).values_list("pk", flat=True))
    assert set(Issue.objects.filter(village_id__any=ids).values_list("pk", flat=True)) == expected
    assert set(Issue.objects.filter(village__any=ids).values_list("pk", flat=True)) == expected
    # Across a relation and on a primary key too.
    pks = [rows[0].pk, rows[2].pk, 999_999]
    assert set(Issue.objects.filter(pk__any=pks).values_list("pk", flat=True)) == {rows[0].pk, rows[2].pk}
    assert Meeting.objects.filter(roundtable__village_id__any=ids).count() == (
        Meeting.objects.filter(roundtable__village_id__in=ids).count()
    )


def test_a_subquery_is_read_as_in_reads_it(issues):
    rows, _villages = issues
    subquery = Issue.objects.filter(title="事项1").values("village_id")
    assert list(Issue.objects.filter(village_id__any=subquery).values_list("pk", flat=True)) == [rows[1].pk]


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="the array parameter is PostgreSQL's")
def test_the_values_go_as_one_array_parameter(issues):
    _rows, villages = issues
    many = [v.pk for v in villages] + list(range(10_000, 10_400))
    with CaptureQueriesContext(connection) as queries:
        assert Issue.objects.filter(village_id__any=many).count() == 4
    sql = queries.captured_queries[0]["sql"]
    assert '"village_id" = ANY(' in sql and "10399" in sql and "%s, %s" not in sql
    assert sql.count("10399") == 1
