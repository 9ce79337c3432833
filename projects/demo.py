"""Demo project registry for 罗溪镇, after the source report (DESIGN §1).

The report's figures hold exactly: 13 featured projects whose funding lines add up to 2.1亿 yuan intended
and 1.13亿 landed; 新东村's "一花五叶" with over 6 million yuan of fiscal funds on over 5,000 亩, planned by
浙江大学旅游研究所; 5 "shell" villages lifted out of zero collective income and 5 weak villages above
100,000 yuan by 2019. Other names and amounts are plausible stand-ins, not an official register.
"""

import datetime
from decimal import Decimal

from projects.models import CollectiveIncome, Cooperative, Funding, Milestone, Partner, Project, Resource
from roundtable.models import Issue, Roundtable
from villages.models import Township, Village

D = datetime.date
WAN = Decimal("10000")

# name, kind, contact, since, villages (codes), description
PARTNERS = [
    (
        "新华网",
        "media",
        "福建频道编辑部",
        D(2017, 5, 1),
        ["xindong", "hongsi"],
        "报道罗溪镇党群圆桌会实践，协助开设乡村振兴专题和农产品直播。",
    ),
    (
        "浙江大学旅游研究所",
        "university",
        "规划项目组",
        D(2016, 10, 1),
        ["xindong", "hongsi", "wengshan"],
        "为新东村“一花五叶”乡村振兴样板区编制旅游发展规划，指导古厝活化与乡村民宿。",
    ),
    (
        "罗溪外地商会同乡会",
        "chamber",
        "秘书处",
        D(2016, 8, 1),
        ["xindong", "guangqiao", "jianxing", "luoxi"],
        "联络在外罗溪乡贤，引资引才回乡，参与红色参事会。",
    ),
    (
        "泉州云耕电子商务有限公司",
        "internet",
        "运营部",
        D(2018, 3, 1),
        ["luoxi", "houxi", "jianxing"],
        "互联网企业，搭建“党建+商务”4.0云平台，帮助合作社开网店、做直播带货。",
    ),
    (
        "新媒体人才之家",
        "other",
        "联络人",
        D(2018, 6, 1),
        ["xindong", "luoxi"],
        "返乡青年与新媒体从业者的交流平台，负责公众号运营与短视频宣传。",
    ),
    (
        "大济公益协会",
        "charity",
        "会长办公室",
        D(2017, 1, 1),
        ["hongshan", "xihua", "matiao"],
        "开展助学、助老和扶贫帮困，捐建红色文化教育基地展陈。",
    ),
    (
        "洛江文旅发展有限公司",
        "enterprise",
        "投资部",
        D(2018, 9, 1),
        ["wengshan", "wuzhai", "jinxi"],
        "文旅投资企业，参与茶园观光、康养和古道民宿项目。",
    ),
]

# Each funding line: source, intended (万元), landed (万元), land contributed (亩) or None.
# village, name, category, status, area (亩), start, end, planner, partners, description, fundings, milestones
PROJECTS = [
    (
        "xindong",
        "“一花五叶”乡村振兴样板区",
        "tourism",
        "in_progress",
        Decimal("5200"),
        D(2017, 3, 1),
        D(2021, 12, 31),
        "浙江大学旅游研究所",
        ["新华网", "罗溪外地商会同乡会", "新媒体人才之家"],
        "党群圆桌会成员调查发现新东村旅游资源禀赋良好、可开发利用土地超过5000亩，经圆桌协商提议打造。"
        "以一条花海为主线，串联古厝民宿、茶园、果园、研学和康养五片产业，群众自愿出资出地。",
        [
            ("fiscal", 650, 620, None),
            ("villager_cash", 180, 150, None),
            ("villager_land", 300, 260, Decimal("320")),
            ("social_capital", 3500, 1500, None),
        ],
        [
            ("编制旅游发展规划", D(2017, 8, 31), D(2017, 8, 20), 100),
            ("花海一期种植", D(2018, 6, 30), D(2018, 6, 18), 100),
            ("古厝民宿改造", D(2020, 12, 31), None, 70),
            ("研学基地建设", D(2021, 12, 31), None, 30),
        ],
    ),
    (
        "hongsi",
        "洪四古厝群保护与民宿改造",
        "culture",
        "in_progress",
        Decimal("260"),
        D(2017, 9, 1),
        D(2021, 6, 30),
        "浙江大学旅游研究所",
        ["新华网"],
        "修缮村内清代古厝群，由返乡乡贤牵头改造精品民宿，收益按股分红。",
        [
            ("fiscal", 420, 400, None),
            ("social_capital", 1600, 700, None),
            ("returning_talent", 500, 350, None),
            ("villager_cash", 80, 80, None),
        ],
        [
            ("古厝测绘与保护方案", D(2018, 3, 31), D(2018, 3, 15), 100),
            ("首批六栋民宿开业", D(2020, 10, 1), None, 60),
        ],
    ),
    (
        "jianxing",
        "建兴中药材种植基地",
        "agriculture",
        "in_progress",
        Decimal("600"),
        D(2018, 2, 1),
        D(2020, 12, 31),
        "",
        ["罗溪外地商会同乡会", "泉州云耕电子商务有限公司"],
        "土地入股、合作社经营，种植金线莲、铁皮石斛等林下中药材。",
        [
            ("fiscal", 300, 300, None),
            ("social_capital", 1200, 500, None),
            ("villager_land", 200, 200, Decimal("600")),
            ("poverty_alleviation", 100, 100, None),
        ],
        [
            ("育苗大棚建成", D(2018, 10, 31), D(2018, 10, 10), 100),
            ("林下种植推广", D(2020, 12, 31), None, 75),
        ],
    ),
    (
        "guangqiao",
        "广桥花卉苗木产业园",
        "agriculture",
        "in_progress",
        Decimal("850"),
        D(2017, 11, 1),
        D(2021, 10, 31),
        "",
        ["罗溪外地商会同乡会"],
        "引进返乡企业家建设花卉苗木产业园，带动花卉、苗木合作社连片经营。",
        [
            ("fiscal", 260, 250, None),
            ("social_capital", 1800, 800, None),
            ("returning_talent", 400, 300, None),
        ],
        [
            ("土地流转完成", D(2018, 5, 31), D(2018, 5, 20), 100),
            ("一期温室投产", D(2019, 12, 31), D(2019, 11, 30), 100),
            ("二期展销中心", D(2021, 10, 31), None, 40),
        ],
    ),
    (
        "luoxi",
        "罗溪农村电商服务中心",
        "ecommerce",
        "completed",
        None,
        D(2018, 4, 1),
        D(2019, 6, 30),
        "",
        ["泉州云耕电子商务有限公司", "新媒体人才之家"],
        "打造农村“党建+商务”4.0云平台，为全镇合作社提供网店、物流和直播服务。",
        [
            ("fiscal", 150, 150, None),
            ("social_capital", 800, 500, None),
            ("returning_talent", 300, 200, None),
        ],
        [
            ("服务中心装修", D(2018, 8, 31), D(2018, 8, 25), 100),
            ("云平台上线", D(2019, 6, 30), D(2019, 6, 28), 100),
        ],
    ),
    (
        "shuangxi",
        "双溪河道生态治理与滨水步道",
        "infrastructure",
        "in_progress",
        Decimal("45"),
        D(2018, 3, 1),
        D(2020, 12, 31),
        "",
        [],
        "整治双溪河道4.2公里，建设滨水步道和生态护岸，解决汛期内涝。",
        [("fiscal", 900, 800, None), ("poverty_alleviation", 100, 100, None)],
        [("清淤疏浚", D(2018, 12, 31), D(2018, 12, 20), 100), ("滨水步道", D(2020, 12, 31), None, 65)],
    ),
    (
        "hongshan",
        "洪山红色文化教育基地",
        "culture",
        "in_progress",
        Decimal("18"),
        D(2018, 7, 1),
        D(2020, 7, 1),
        "",
        ["大济公益协会"],
        "依托“三会一课”区级实践点，修缮革命旧址，建设红色文化展陈馆。",
        [("fiscal", 300, 260, None), ("social_capital", 300, 100, None), ("other", 50, 40, None)],
        [("旧址修缮", D(2019, 6, 30), D(2019, 6, 10), 100), ("展陈布展", D(2020, 7, 1), None, 50)],
    ),
    (
        "wengshan",
        "翁山生态茶园观光",
        "tourism",
        "approved",
        Decimal("1200"),
        D(2019, 3, 1),
        D(2022, 12, 31),
        "浙江大学旅游研究所",
        ["洛江文旅发展有限公司"],
        "提升改造高山茶园，建设观光栈道与制茶体验工坊。",
        [("fiscal", 180, 150, None), ("social_capital", 1000, 300, None), ("villager_cash", 120, 100, None)],
        [("茶园提升规划", D(2019, 9, 30), D(2019, 9, 1), 100)],
    ),
    (
        "houxi",
        "后溪生态养殖示范场",
        "cooperative",
        "in_progress",
        Decimal("90"),
        D(2018, 5, 1),
        D(2020, 6, 30),
        "",
        ["泉州云耕电子商务有限公司"],
        "养殖合作社统一防疫、统一销售，发展生态土鸡和山羊养殖。",
        [
            ("fiscal", 120, 120, None),
            ("villager_cash", 200, 180, None),
            ("poverty_alleviation", 80, 80, None),
            ("social_capital", 400, 120, None),
        ],
        [("养殖场建成", D(2018, 12, 31), D(2018, 12, 28), 100), ("网店销售", D(2020, 6, 30), None, 80)],
    ),
    (
        "qianyang",
        "前洋农产品加工与冷链中心",
        "agriculture",
        "planning",
        Decimal("30"),
        D(2019, 5, 1),
        D(2021, 12, 31),
        "",
        ["罗溪外地商会同乡会"],
        "建设果蔬分拣、加工和冷链仓储，延长农产品销售期。",
        [("social_capital", 900, 450, None), ("fiscal", 200, 200, None)],
        [("可行性研究", D(2019, 10, 31), D(2019, 10, 15), 100), ("冷库建设", D(2021, 6, 30), None, 20)],
    ),
    (
        "xihua",
        "西华光伏扶贫电站",
        "infrastructure",
        "completed",
        Decimal("12"),
        D(2017, 6, 1),
        D(2018, 6, 30),
        "",
        ["大济公益协会"],
        "村部和学校屋顶光伏发电，收益用于村集体和困难户。",
        [("poverty_alleviation", 300, 300, None), ("fiscal", 150, 150, None)],
        [("并网发电", D(2018, 6, 30), D(2018, 6, 26), 100)],
    ),
    (
        "wuzhai",
        "梧宅乡村康养小镇",
        "tourism",
        "proposed",
        Decimal("400"),
        D(2019, 8, 1),
        D(2023, 12, 31),
        "",
        ["洛江文旅发展有限公司"],
        "利用山地森林和温泉资源发展康养民宿，目前处于招商洽谈阶段。",
        [("social_capital", 900, 200, None), ("fiscal", 90, 60, None), ("returning_talent", 200, 100, None)],
        [],
    ),
    (
        "jinxi",
        "锦溪古道修复与民宿集群",
        "tourism",
        "planning",
        Decimal("150"),
        D(2019, 4, 1),
        D(2022, 6, 30),
        "",
        ["洛江文旅发展有限公司"],
        "修复锦溪至戴云山古官道，沿线发展民宿集群。",
        [("social_capital", 1500, 0, None), ("fiscal", 200, 100, None), ("villager_cash", 70, 30, None)],
        [("古道线路勘测", D(2019, 12, 31), D(2019, 12, 20), 100)],
    ),
]

# village, name, kind, members, founded, leader, products
COOPERATIVES = [
    ("xindong", "新东花卉种植专业合作社", "flowers", 86, D(2017, 4, 1), "陈志明", "百合、三角梅、花海观光"),
    ("xindong", "新东果蔬专业合作社", "food", 54, D(2016, 9, 1), "陈秀英", "百香果、蜜柚、农家菜干"),
    ("hongsi", "洪四生态茶叶专业合作社", "food", 63, D(2016, 5, 1), "洪国平", "铁观音、白茶"),
    ("hongsi", "洪四土鸡养殖专业合作社", "livestock", 28, D(2018, 3, 1), "洪小燕", "生态土鸡、鸡蛋"),
    ("jianxing", "建兴中药材专业合作社", "herbs", 72, D(2017, 11, 1), "黄志坚", "金线莲、铁皮石斛"),
    ("guangqiao", "广桥花卉专业合作社", "flowers", 91, D(2016, 12, 1), "林美玲", "盆栽花卉、鲜切花"),
    ("guangqiao", "广桥苗木专业合作社", "seedlings", 47, D(2017, 6, 1), "林建华", "绿化苗木、果树苗"),
    ("luoxi", "罗溪农产品电商合作社", "food", 120, D(2018, 5, 1), "郑丽华", "地瓜干、笋干、茶叶网店"),
    ("shuangxi", "双溪蔬菜专业合作社", "food", 40, D(2018, 2, 1), "王金凤", "时令蔬菜"),
    ("hongshan", "洪山中药材专业合作社", "herbs", 35, D(2018, 8, 1), "洪文杰", "黄精、七叶一枝花"),
    ("wengshan", "翁山茶叶专业合作社", "food", 58, D(2017, 3, 1), "翁明德", "高山乌龙茶"),
    ("houxi", "后溪生态养殖专业合作社", "livestock", 44, D(2018, 5, 1), "李国栋", "山羊、土鸡"),
    ("qianyang", "前洋果蔬专业合作社", "food", 39, D(2019, 1, 1), "苏丽娟", "杨梅、枇杷"),
    ("xihua", "西华苗木专业合作社", "seedlings", 26, D(2018, 10, 1), "张志勇", "茶苗、苗木"),
    ("wuzhai", "梧宅养蜂专业合作社", "livestock", 22, D(2019, 3, 1), "吴丽清", "土蜂蜜"),
    ("lushan", "炉山食用菌专业合作社", "food", 31, D(2018, 11, 1), "卢建新", "香菇、木耳"),
    ("zhongshan", "钟山花卉苗木专业合作社", "flowers", 33, D(2018, 4, 1), "钟海燕", "兰花、桂花苗"),
    ("xinnan", "新南中药材专业合作社", "herbs", 29, D(2019, 2, 1), "陈永福", "太子参"),
    ("matiao", "马跳生猪养殖专业合作社", "livestock", 18, D(2018, 7, 1), "马志成", "生猪"),
    ("jinxi", "锦溪竹笋专业合作社", "food", 37, D(2017, 10, 1), "许秀梅", "鲜笋、笋干"),
]

# village, name, kind, area (亩), location, description
RESOURCES = [
    (
        "xindong",
        "可开发利用土地",
        "land",
        Decimal("5200"),
        "全村",
        "圆桌会成员踏勘确认的可开发利用土地，规划为“一花五叶”样板区。",
    ),
    (
        "xindong",
        "戴云山余脉森林",
        "natural",
        Decimal("3200"),
        "村北",
        "生态公益林，负氧离子含量高，适合康养步道。",
    ),
    ("xindong", "新东陈氏古厝群", "historic", Decimal("35"), "第三村民小组", "清代闽南红砖古厝十二座。"),
    ("xindong", "南音与提线木偶", "cultural", None, "村文化礼堂", "传统艺术，用于“党建+文艺惠民”主题宣讲。"),
    ("hongsi", "洪四古厝群", "historic", Decimal("42"), "村中心", "明清古厝与古井，已列入保护名录。"),
    ("hongsi", "洪四溪", "water", Decimal("60"), "村东", "溪流与山塘，可发展亲水休闲。"),
    ("jianxing", "林下经济用地", "land", Decimal("800"), "后山", "适合林下中药材种植。"),
    ("guangqiao", "连片农田", "land", Decimal("1100"), "广桥洋", "平整连片，已流转用于花卉苗木产业园。"),
    ("luoxi", "罗溪古街", "historic", Decimal("20"), "镇区", "民国骑楼老街，商铺集中。"),
    ("shuangxi", "双溪交汇口", "water", Decimal("75"), "村南", "两溪交汇，河滩开阔。"),
    ("hongshan", "革命旧址", "historic", Decimal("3"), "洪山顶", "闽中游击队旧址。"),
    ("wengshan", "高山茶园", "land", Decimal("1200"), "翁山", "海拔六百米以上的茶园。"),
    ("wuzhai", "温泉与森林", "natural", Decimal("400"), "梧宅坑", "地热温泉出露点与天然林。"),
    ("jinxi", "锦溪古官道", "historic", Decimal("15"), "锦溪—戴云山", "宋代古官道遗存约八公里。"),
    ("matiao", "马跳瀑布", "natural", Decimal("25"), "马跳岭", "落差三十米的瀑布群。"),
]

# Collective income (yuan) for 2016–2019. Shell villages (0 in 2016) and weak ones (< 100,000) follow the
# report: by 2019, five shells lifted out and five weak villages above 100,000 yuan.
SHELL_2016 = ["wengshan", "qianyang", "wuzhai", "lushan", "matiao"]
WEAK_2016 = ["xindong", "hongsi", "jianxing", "guangqiao", "zhongshan"]
INCOMES = {
    # shells lifted out
    "wengshan": [0, 0, 25000, 52000],
    "qianyang": [0, 12000, 30000, 46000],
    "wuzhai": [0, 0, 18000, 38000],
    "lushan": [0, 8000, 21000, 35000],
    "matiao": [0, 0, 9000, 28000],
    # weak villages above 100,000 yuan
    "xindong": [62000, 85000, 118000, 186000],
    "hongsi": [55000, 78000, 104000, 152000],
    "jianxing": [48000, 66000, 91000, 128000],
    "guangqiao": [71000, 88000, 112000, 143000],
    "zhongshan": [38000, 52000, 80000, 106000],
    # sound throughout
    "luoxi": [420000, 455000, 498000, 560000],
    "shuangxi": [126000, 138000, 150000, 171000],
    "hongshan": [108000, 115000, 127000, 139000],
    "houxi": [132000, 147000, 160000, 182000],
    "xihua": [118000, 165000, 172000, 178000],
    "xinnan": [141000, 150000, 158000, 166000],
    "jinxi": [112000, 118000, 125000, 137000],
}
INCOME_YEARS = [2016, 2017, 2018, 2019]


# Projects that came out of a roundtable matter of the roundtable demo: project name → words of its title.
ORIGINS = {"“一花五叶”乡村振兴样板区": "乡村旅游", "洪四古厝群保护与民宿改造": "古厝"}


def _origin_issue(village: Village, project_name: str, start=None):
    """The roundtable matter the project came out of: raised before the project started."""
    words = ORIGINS.get(project_name)
    if not words:
        return None
    issues = Issue.objects.filter(village=village, title__contains=words)
    if start is not None:
        issues = issues.filter(created_at__date__lt=start)
    return issues.order_by("created_at", "pk").first()


def seed(township: Township, stdout=None) -> None:
    """Creates or updates the demo registries; running it again changes no counts."""
    villages = {v.code: v for v in Village.objects.filter(township=township)}
    partners = {}
    for name, kind, contact, since, codes, description in PARTNERS:
        partner, _ = Partner.objects.update_or_create(
            township=township,
            name=name,
            defaults={"kind": kind, "contact_name": contact, "since": since, "description": description},
        )
        partner.villages.set([villages[c] for c in codes if c in villages])
        # With the roundtable demo loaded, the partner also sits with its first villages' first roundtables.
        partner.roundtables.set(
            [
                rt
                for c in codes[:2]
                if (rt := Roundtable.objects.filter(village__code=c).order_by("pk").first())
            ]
        )
        partners[name] = partner

    for (
        code,
        name,
        category,
        status,
        area,
        start,
        end,
        planner,
        partner_names,
        description,
        fundings,
        milestones,
    ) in PROJECTS:
        village = villages[code]
        project, _ = Project.objects.update_or_create(
            village=village,
            name=name,
            defaults={
                "category": category,
                "status": status,
                "land_area_mu": area,
                "start_date": start,
                "end_date": end,
                "planning_partner": partners.get(planner),
                "description": description,
                "is_public": True,
                "origin_issue": _origin_issue(village, name, start),
            },
        )
        project.partners.set([partners[n] for n in partner_names])
        for source, intended, landed, land in fundings:
            Funding.objects.update_or_create(
                project=project,
                source=source,
                defaults={
                    "amount_intended": intended * WAN,
                    "amount_landed": landed * WAN,
                    "land_mu": land,
                    "date": start,
                    "over_intended_confirmed": landed > intended,
                },
            )
        for order, (title, due, done, progress) in enumerate(milestones, start=1):
            Milestone.objects.update_or_create(
                project=project,
                title=title,
                defaults={"due_date": due, "done_date": done, "progress": progress, "order": order},
            )

    for code, name, kind, members, founded, leader, products in COOPERATIVES:
        Cooperative.objects.update_or_create(
            village=villages[code],
            name=name,
            defaults={
                "kind": kind,
                "members": members,
                "founded": founded,
                "leader": leader,
                "products": products,
            },
        )
    for code, name, kind, area, location, description in RESOURCES:
        Resource.objects.update_or_create(
            village=villages[code],
            name=name,
            defaults={"kind": kind, "area_mu": area, "location": location, "description": description},
        )
    for code, amounts in INCOMES.items():
        for year, amount in zip(INCOME_YEARS, amounts, strict=True):
            note = "截至上半年" if year == 2019 else ""
            CollectiveIncome.objects.update_or_create(
                village=villages[code], year=year, defaults={"amount": Decimal(amount), "note": note}
            )
    if stdout:
        stdout.write(
            f"  {len(PROJECTS)} projects, {len(PARTNERS)} partners, {len(COOPERATIVES)} cooperatives, "
            f"{len(RESOURCES)} resources, collective income {INCOME_YEARS[0]}–{INCOME_YEARS[-1]}"
        )
