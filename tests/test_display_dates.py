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
