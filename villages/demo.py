"""Demo data for 洛江区 (Luojiang District): 罗溪镇 (Luoxi Town) with its 17 villages and their groups, and
two more townships of the district (河市镇, 马甲镇) with a few villages each, for the district dashboard.

The four pilots and the figures come from the source report (DESIGN §1); the other names, sizes and
groups are plausible stand-ins, good for demonstrations and tests, not an official register.
"""

import datetime

from villages.models import District, Township, Village, VillageGroup

DISTRICT = {"code": "luojiang", "name": "泉州市洛江区"}
TOWNSHIP = {"code": "luoxi", "name": "罗溪镇"}

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


# The district's other demo townships: code, name, and villages as above (codes stay unique across the
# district, because /v/<code>/ addresses are public).
OTHER_TOWNSHIPS = [
    (
        "heshi",
        "河市镇",
        [
            ("heshi", "河市村", False, 3320, 870, "蔡文忠", 5, False),
            ("wushan", "梧山村", False, 2140, 561, "黄德明", 4, False),
            ("hexi", "禾溪村", False, 1860, 488, "林木火", 4, False),
            ("xiaxi", "霞溪村", False, 1530, 402, "谢永福", 3, False),
        ],
    ),
    (
        "majia",
        "马甲镇",
        [
            ("majia", "马甲村", False, 4010, 1046, "刘清华", 6, False),
            ("yangen", "仰恩村", False, 2270, 596, "苏秋林", 4, False),
            ("yangkeng", "洋坑村", False, 1680, 441, "杨国栋", 3, False),
        ],
    ),
]


def district() -> District:
    """洛江区, created or updated."""
    obj, _ = District.objects.update_or_create(code=DISTRICT["code"], defaults={"name": DISTRICT["name"]})
    return obj


def seed(stdout=None) -> Township:
    """Creates or updates 罗溪镇, its villages and groups; running it again changes no counts."""
    township, _ = Township.objects.update_or_create(
        code=TOWNSHIP["code"], defaults={"name": TOWNSHIP["name"], "district": district()}
    )
    _villages(township, VILLAGES)
    if stdout:
        stdout.write(f"  {township.name}: {township.villages.count()} villages")
    return township


def seed_district(stdout=None) -> list[Township]:
    """The district's other demo townships with their villages and groups; idempotent like seed()."""
    townships = []
    for code, name, villages in OTHER_TOWNSHIPS:
        township, _ = Township.objects.update_or_create(
            code=code, defaults={"name": name, "district": district()}
        )
        _villages(township, villages)
        townships.append(township)
        if stdout:
            stdout.write(f"  {township.name}: {township.villages.count()} villages")
    return townships


def _villages(township: Township, rows) -> None:
    for index, (code, name, pilot, population, households, secretary, groups, areas) in enumerate(rows):
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
                    f"{name}位于{township.name}，"
                    f"{'2016年起试点党群圆桌会' if pilot else '2018年推广党群圆桌会'}，"
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
