"""The demo district's dashboard: 洛江区 with 罗溪镇, 河市镇 and 马甲镇, and figures that add up."""

from accounts.models import User
from dashboards import selectors as s
from villages.models import District, Village


def test_demo_district_dashboard_adds_up(client, demo):
    district = District.objects.get(code="luojiang")
    assert set(district.townships.values_list("name", flat=True)) >= {"罗溪镇", "河市镇", "马甲镇"}
    codes = list(Village.objects.values_list("code", flat=True))
    assert len(codes) == len({c.lower() for c in codes})  # public /v/<code>/ addresses stay unique

    client.force_login(User.objects.get(email="district@luojiang.demo"))
    page = client.get("/work/dashboard/", {"period": "custom", "start": "2000-01-01", "end": "2100-12-31"})
    assert page.status_code == 200
    rows = {r["unit"].name: r for r in page.context["rows"]}
    assert set(rows) >= {"罗溪镇", "河市镇", "马甲镇"}
    for name, row in rows.items():
        terminal = row["rejected"] + row["merged"] + row["withdrawn"]
        assert row["raised"] == row["open"] + row["closed"] + terminal, name
        assert row["raised"] > 0, name
    total = page.context["total"]
    assert total["raised"] == sum(r["raised"] for r in rows.values())
    # 罗溪镇's 17 villages, compared on the township dashboard the official opens
    client.force_login(User.objects.get(email="official@luoxi.demo"))
    luoxi = client.get("/work/dashboard/").context
    assert len(luoxi["rows"]) == 17
    assert s.RANK_KEYS[0] == "raised"
