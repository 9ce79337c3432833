"""`|ymd` and `|ymd_hm` write what `|date:"Y-m-d"` and `|date:"Y-m-d H:i"` write (issue 13: render cost)."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

VALUES = [
    None,
    "",
    "not a date",
    datetime.date(2026, 3, 1),
    datetime.datetime(2026, 3, 1, 23, 30),  # naive
    datetime.datetime(2026, 2, 28, 16, 5, tzinfo=datetime.UTC),  # 00:05 the next day in Shanghai
    datetime.datetime(2026, 12, 31, 15, 59, 59, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
@pytest.mark.parametrize("value", VALUES)
def test_ymd_filters_write_what_the_date_filter_writes(zone, value):
    day = Template('{% load tables %}{{ v|ymd }}|{{ v|date:"Y-m-d" }}')
    # Django refuses a time format for a date (a page never asks for one).
    minute = Template('{% load tables %}{{ v|ymd_hm }}|{{ v|date:"Y-m-d H:i" }}')
    templates = [day] if type(value) is datetime.date else [day, minute]
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for template in templates:
            lean, django = template.render(Context({"v": value})).split("|")
            assert lean == django


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "UTC"])
def test_tables_written_in_python_write_the_dates_the_date_filter_writes(zone):
    """``local_ymd`` (the Python tables' dates, with the time zone looked up once a table) writes what
    ``|date:"Y-m-d"`` and ``|date:"Y-m-d H:i"`` write, across midnight and daylight-saving changes."""
    import datetime as dt
    import zoneinfo

    from django.template.defaultfilters import date as date_filter
    from django.utils import timezone as tz

    from core.templatetags.tables import current_tz, local_ymd

    start = dt.datetime(2026, 3, 7, 0, 0, tzinfo=dt.UTC)
    moments = [start + dt.timedelta(minutes=37 * n) for n in range(400)]
    moments += [
        dt.datetime(1999, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC),
    ]
    with tz.override(zoneinfo.ZoneInfo(zone)):
        here = current_tz()
        for moment in moments:
            shown = tz.localtime(moment)  # as a template shows an aware moment
            assert local_ymd(moment) == local_ymd(moment, tz=here) == date_filter(shown, "Y-m-d")
            assert local_ymd(moment, "%Y-%m-%d %H:%M", tz=here) == date_filter(shown, "Y-m-d H:i")
    assert local_ymd(None) == ""
