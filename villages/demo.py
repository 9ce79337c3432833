"""Demo data for 罗溪镇 (Luoxi Town): the township, its 17 villages and their groups.

The four pilots and the figures come from the source report (DESIGN §1); the other names, sizes and
groups are plausible stand-ins, good for demonstrations and tests, not an official register.
"""

import datetime

from villages.models import Township, Village, VillageGroup

TOWNSHIP = {"code": "luoxi", "name": "罗溪镇", "district": "泉州市洛江区"}

# code, name, pilot, population, households, secretary, number of groups, areas instead of groups
VILLAGES = [
    ("xindong", "新东村", True, 3860, 1012, "陈建国", 9, False),
    ("hongsi", "洪四村", True, 3210, 846, "洪志强", 8, False),
    ("jianxing", "建兴村", True, 2750, 701, "黄文斌", 7, False),
    ("guangqiao", "广桥村", True, 2480, 655, "林振华", 6, False),
    ("luoxi", "罗溪村", False, 4120, 1088, "郑明辉", 4, True),
    ("shuangxi", "双溪村", False, 2290, 590, "王福生", 6, False),
    ("hongshan", "洪山村", False, 1980, 512, "洪光明", 5, False),
    ("wengshan", "翁山村", False, 1750, 468, "翁德胜", 5, False),
    ("houxi", "后溪村", False, 2630, 690, "李清泉", 3, True),
    ("qianyang", "前洋村", False, 1890, 497, "苏永和", 5, False),
    ("xihua", "西华村", False, 2105, 553, "张金水", 6, False),
    ("wuzhai", "梧宅村", False, 1560, 402, "吴春来", 4, False),
    ("lushan", "炉山村", False, 1420, 371, "卢海平", 4, False),
    ("zhongshan", "钟山村", False, 1680, 436, "钟立新", 5, False),
    ("xinnan", "新南村", False, 2040, 529, "陈志远", 5, False),
    ("matiao", "马跳村", False, 1330, 348, "马建平", 4, False),
    ("jinxi", "锦溪村", False, 1910, 502, "许国梁", 3, True),
]

GROUP_NUMERALS = "一二三四五六七八九十"
AREA_NAMES = ["东片区", "西片区", "南片区", "北片区", "中心片区"]


def seed(stdout=None) -> Township:
    """Creates or updates 罗溪镇, its villages and groups; running it again changes no counts."""
    township, _ = Township.objects.update_or_create(
        code=TOWNSHIP["code"], defaults={"name": TOWNSHIP["name"], "district": TOWNSHIP["district"]}
    )
    for index, (code, name, pilot, population, households, secretary, groups, areas) in enumerate(VILLAGES):
        founded = datetime.date(2016, 3 + index % 4, 1) if pilot else datetime.date(2018, 1 + index % 12, 1)
        village, _ = Village.objects.update_or_create(
            code=code,
            defaults={
                "township": township,
                "name": name,
                "is_pilot": pilot,
                "population": population,
                "households": households,
                "party_secretary": secretary,
                "roundtable_founded": founded,
                "description": (
                    f"{name}位于罗溪镇，{'2016年起试点党群圆桌会' if pilot else '2018年推广党群圆桌会'}，"
                    f"按{'片区' if areas else '村民小组'}组建圆桌会。"
                ),
            },
        )
        for n in range(groups):
            if areas:
                group_name, kind = AREA_NAMES[n], VillageGroup.Kind.AREA
            else:
                group_name, kind = f"第{GROUP_NUMERALS[n]}村民小组", VillageGroup.Kind.GROUP
            VillageGroup.objects.update_or_create(
                village=village,
                name=group_name,
                defaults={"kind": kind, "order": n + 1, "households": households // groups},
            )
    if stdout:
        stdout.write(f"  {township.name}: {township.villages.count()} villages")
    return township
