"""Demo talent registries for 罗溪镇, after the source report (DESIGN §1).

The report's figures hold exactly: 461 talents in the "一懂两爱" pool; red advisory councils in 12 of the
17 villages; in the 2018 election of the two committees two graduates under 30 were elected, the average
age fell 2.8% and the number of members with a degree rose 50% over 2015, with no petition about the
election. People, numbers and ages are generated from a fixed seed: plausible, repeatable, fictitious.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from roundtable.models import Roundtable
from talent.models import (
    AdvisoryCouncil,
    CommitteeMember,
    CommitteeTerm,
    CouncilMember,
    Education,
    Skill,
    Talent,
    TalentSkill,
    id_check_digit,
)
from talent.selectors import compare_terms, term_stats
from villages.models import Township, Village

TOTAL_TALENTS = 461
# Talents per village; the pilots hold more. Adds up to TOTAL_TALENTS.
TALENTS_PER_VILLAGE = {
    "xindong": 48,
    "hongsi": 42,
    "jianxing": 36,
    "guangqiao": 33,
    "luoxi": 31,
    "shuangxi": 24,
    "hongshan": 22,
    "wengshan": 20,
    "houxi": 25,
    "qianyang": 21,
    "xihua": 23,
    "wuzhai": 19,
    "lushan": 18,
    "zhongshan": 22,
    "xinnan": 27,
    "matiao": 18,
    "jinxi": 32,
}
COUNCIL_VILLAGES = [
    "xindong",
    "hongsi",
    "jianxing",
    "guangqiao",
    "luoxi",
    "shuangxi",
    "hongshan",
    "houxi",
    "xihua",
    "zhongshan",
    "xinnan",
    "jinxi",
]
COUNCIL_DESCRIPTION = "从村内各党群圆桌会中挑选骨干组成的智囊团，引资引才引资源回归，为村级发展建言献策。"
LUOJIANG_REGION = "350504"  # 泉州市洛江区, the first six digits of local ID numbers

SURNAMES = "陈林黄洪王李张吴刘郑苏许蔡庄翁卢钟马杨曾周谢"
MALE_GIVEN = "建国志明文斌振华清泉永和金水春来海平立新远福强伟军德胜光荣辉宏杰俊毅鸿涛斌鹏"
FEMALE_GIVEN = "秀英美玲丽华金凤燕清梅芳雅婷淑珍惠玉兰桂琴静慧敏红霞晓莉"
MOBILE_PREFIXES = ["138", "139", "159", "158", "187", "188", "177", "136", "135", "150", "189", "133"]
SPECIALTIES = {
    Skill.FARMING: ["铁观音茶叶种植", "林下中药材栽培", "果树嫁接", "食用菌种植", "设施蔬菜"],
    Skill.MANAGEMENT: ["合作社经营管理", "村务管理", "企业管理"],
    Skill.ECOMMERCE: ["网店运营", "直播带货", "短视频拍摄剪辑"],
    Skill.TOURISM: ["民宿经营", "乡村导游", "农家乐"],
    Skill.ARTS: ["南音演唱", "提线木偶", "书法", "闽南剪纸"],
    Skill.LAW: ["人民调解", "法律咨询"],
    Skill.MEDICINE: ["乡村医生", "中医推拿"],
    Skill.BUILDING: ["古厝修缮", "泥水工程", "水电安装"],
    Skill.FINANCE: ["会计", "农村金融"],
    Skill.OTHER: ["驾驶运输", "养蜂"],
}
SKILL_WEIGHTS = [
    (Skill.FARMING, 30),
    (Skill.MANAGEMENT, 14),
    (Skill.ECOMMERCE, 12),
    (Skill.TOURISM, 10),
    (Skill.ARTS, 8),
    (Skill.LAW, 4),
    (Skill.MEDICINE, 4),
    (Skill.BUILDING, 9),
    (Skill.FINANCE, 5),
    (Skill.OTHER, 4),
]
EDUCATION_WEIGHTS = [
    (Education.PRIMARY, 6),
    (Education.JUNIOR, 24),
    (Education.SENIOR, 34),
    (Education.COLLEGE, 18),
    (Education.BACHELOR, 15),
    (Education.POSTGRADUATE, 3),
]
ASSESSMENT_WEIGHTS = [
    (Talent.Assessment.EXCELLENT, 15),
    (Talent.Assessment.GOOD, 40),
    (Talent.Assessment.QUALIFIED, 35),
    (Talent.Assessment.PENDING, 10),
]


def _pick(rng, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights=weights)[0]


def _name(rng, gender) -> str:
    given = MALE_GIVEN if gender == "m" else FEMALE_GIVEN
    length = rng.choice([1, 2, 2, 2])
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(length))


def demo_id_number(birth: datetime.date, serial: int, gender: str) -> str:
    """A checksum-valid, fictitious ID number: region, birth date, serial (odd for men), check digit."""
    serial = serial % 500 * 2 + (1 if gender == "m" else 0)
    first17 = f"{LUOJIANG_REGION}{birth:%Y%m%d}{serial:03d}"
    return first17 + id_check_digit(first17)


def _talent_rows(villages: list[Village]) -> list[tuple[Village, dict, list[str]]]:
    """The whole pool, generated in a fixed order from a fixed seed."""
    rng = random.Random(461)
    rows = []
    for village in villages:
        seen = set()
        for _ in range(TALENTS_PER_VILLAGE[village.code]):
            gender = "m" if rng.random() < 0.62 else "f"
            while True:
                name, birth_year = _name(rng, gender), rng.randint(1958, 1998)
                if (name, birth_year) not in seen:
                    seen.add((name, birth_year))
                    break
            birth = datetime.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
            education = _pick(rng, EDUCATION_WEIGHTS)
            skills = list(
                dict.fromkeys(_pick(rng, SKILL_WEIGHTS) for _ in range(rng.choice([1, 1, 2, 2, 3])))
            )
            mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
            fields = {
                "name": name,
                "gender": gender,
                "birth_year": birth_year,
                "education": education,
                "mobile": mobile,
                "id_number": demo_id_number(birth, rng.randint(0, 499), gender) if rng.random() < 0.7 else "",
                "is_party_member": rng.random() < 0.42,
                "is_returned": rng.random() < 0.22,
                "is_reserve_cadre": birth_year >= 1980 and rng.random() < 0.25,
                "assessment": _pick(rng, ASSESSMENT_WEIGHTS),
                "specialty": "、".join(rng.choice(SPECIALTIES[s]) for s in skills),
                "consent_date": datetime.date(2018, rng.randint(1, 12), rng.randint(1, 28)),
            }
            rows.append((village, fields, skills))
    return rows


def seed_talents(villages: list[Village]) -> int:
    """Creates the missing talents in bulk and brings existing ones up to date; returns how many were new."""
    rows = _talent_rows(villages)
    existing = {(t.village_id, t.name, t.birth_year): t for t in Talent.objects.filter(village__in=villages)}
    roundtables = {}
    for rt in Roundtable.objects.filter(village__in=villages).order_by("pk"):
        roundtables.setdefault(rt.village_id, rt)
    new, changed = [], []
    for index, (village, fields, _skills) in enumerate(rows):
        # Every third talent sits on the village's first roundtable, when the roundtable demo is loaded.
        fields = {**fields, "roundtable": roundtables.get(village.pk) if index % 3 == 0 else None}
        talent = existing.get((village.pk, fields["name"], fields["birth_year"]))
        if talent is None:
            new.append(Talent(village=village, **fields))
        else:
            for key, value in fields.items():
                setattr(talent, key, value)
            changed.append(talent)
    Talent.objects.bulk_create(new, batch_size=500)
    if changed:
        Talent.objects.bulk_update(changed, [*rows[0][1], "roundtable"], batch_size=500)
    ids = {
        (t.village_id, t.name, t.birth_year): t.pk
        for t in Talent.objects.filter(village__in=villages).only("pk", "village_id", "name", "birth_year")
    }
    have = set(TalentSkill.objects.filter(talent__village__in=villages).values_list("talent_id", "skill"))
    skills = [
        TalentSkill(talent_id=ids[(v.pk, f["name"], f["birth_year"])], skill=s)
        for v, f, skill_list in rows
        for s in skill_list
        if (ids[(v.pk, f["name"], f["birth_year"])], s) not in have
    ]
    TalentSkill.objects.bulk_create(skills, batch_size=1000)
    return len(new)


def seed_councils(villages: dict[str, Village]) -> None:
    """A red advisory council in each of the twelve villages, its seats taken from the talent pool."""
    for n, code in enumerate(COUNCIL_VILLAGES):
        village = villages[code]
        council, _ = AdvisoryCouncil.objects.update_or_create(
            village=village,
            defaults={
                "name": f"{village.name}红色参事会",
                "founded": datetime.date(2017 + n // 6, 1 + n % 6 * 2, 1),
                "description": COUNCIL_DESCRIPTION,
            },
        )
        people = list(
            Talent.objects.filter(village=village, is_party_member=True).order_by(
                "-assessment", "birth_year", "pk"
            )
        )[:9]
        roles = [CouncilMember.Role.CHAIR, CouncilMember.Role.VICE_CHAIR, CouncilMember.Role.SECRETARY]
        for i, person in enumerate(people):
            CouncilMember.objects.update_or_create(
                council=council,
                name=person.name,
                defaults={
                    "role": roles[i] if i < len(roles) else CouncilMember.Role.MEMBER,
                    "talent": person,
                    "occupation": person.specialty[:100],
                    "joined": council.founded,
                },
            )


# --- committee terms ---------------------------------------------------------------------------


@dataclass
class _Member:
    name: str
    role: str
    gender: str
    birth_year: int
    education: str
    from_roundtable: bool = False


R = CommitteeMember.Role
TERM_ROLES = [
    R.SECRETARY,
    R.DIRECTOR,
    R.DEPUTY_SECRETARY,
    R.BRANCH_MEMBER,
    R.COMMITTEE_MEMBER,
    R.COMMITTEE_MEMBER,
]
# 2015: eight members hold a degree; 2018: twelve (up 50%), two of them graduates under 30.
DEGREES_2015 = 8
DEGREES_2018 = 12
YOUNG_GRADUATES = [("xindong", "陈思远", "m", 1992), ("hongsi", "洪雅婷", "f", 1990)]
TARGET_AGE_CHANGE = Decimal("-2.8")


def _committee_rows(codes: list[str]) -> dict[int, dict[str, list[_Member]]]:
    """2015 and 2018 members of every village, tuned so the pooled statistics match the report."""
    rng = random.Random(2018)
    t2015, t2018 = {}, {}
    for code in codes:
        seen, members = set(), []
        for role in TERM_ROLES:
            gender = "m" if rng.random() < 0.75 else "f"
            name = _name(rng, gender)
            while name in seen:
                name = _name(rng, gender)
            seen.add(name)
            members.append(_Member(name, role, gender, 2015 - rng.randint(38, 58), Education.SENIOR))
        t2015[code] = members
    # Re-elected members keep their birth year; about a third are replaced, by people aged 33–48.
    for code in codes:
        old = t2015[code]
        seen = {m.name for m in old}
        members = []
        for m in old:
            if rng.random() < 0.36:
                gender = "m" if rng.random() < 0.65 else "f"
                name = _name(rng, gender)
                while name in seen:
                    name = _name(rng, gender)
                seen.add(name)
                members.append(_Member(name, m.role, gender, 2018 - rng.randint(33, 48), Education.SENIOR))
            else:
                members.append(
                    _Member(m.name, m.role, m.gender, m.birth_year, m.education, m.from_roundtable)
                )
        t2018[code] = members
    for code, name, gender, birth_year in YOUNG_GRADUATES:
        if code in t2018:
            t2018[code][-1] = _Member(name, R.COMMITTEE_MEMBER, gender, birth_year, Education.BACHELOR, True)
    _assign_education(codes, t2015, t2018)
    _tune_ages(codes, t2015, t2018)
    return {2015: t2015, 2018: t2018}


def _assign_education(codes, t2015, t2018) -> None:
    """Degrees for exactly the report's numbers of members; schools and colleges for the others."""
    others = [Education.SENIOR, Education.COLLEGE, Education.JUNIOR]
    everyone_2015 = [m for code in codes for m in t2015[code]]
    step = max(1, len(everyone_2015) // DEGREES_2015)
    for i, m in enumerate(everyone_2015):
        degree = i % step == 0 and i // step < DEGREES_2015
        m.education = Education.BACHELOR if degree else others[i % 3]
    # Re-elected people keep their education; the two young graduates hold degrees; newcomers fill the rest.
    by_name_2015 = {(code, m.name): m for code in codes for m in t2015[code]}
    young = {name for _code, name, _g, _b in YOUNG_GRADUATES}
    newcomers = []
    for code in codes:
        for m in t2018[code]:
            earlier = by_name_2015.get((code, m.name))
            if earlier is not None:
                m.education = earlier.education
            elif m.name not in young:
                newcomers.append(m)
    holders = sum(1 for code in codes for m in t2018[code] if m.education == Education.BACHELOR)
    for i, m in enumerate(newcomers):
        if holders < DEGREES_2018:
            m.education = Education.BACHELOR
            holders += 1
        else:
            m.education = others[i % 3]


def _tune_ages(codes, t2015, t2018) -> None:
    """Nudge birth years of 2018 newcomers until the average age falls by the report's 2.8%."""
    names_2015 = {(code, m.name) for code in codes for m in t2015[code]}
    young = {name for _code, name, _g, _b in YOUNG_GRADUATES}
    movable = [
        m for code in codes for m in t2018[code] if (code, m.name) not in names_2015 and m.name not in young
    ]
    before = term_stats(2015, [m for code in codes for m in t2015[code]])
    for step in range(400):
        after = term_stats(2018, [m for code in codes for m in t2018[code]])
        change = compare_terms(before, after).average_age_change
        if change == TARGET_AGE_CHANGE or not movable:
            return
        m = movable[step % len(movable)]
        # Younger newcomers lower the average; never below 31, so only the two graduates are under 30.
        if change > TARGET_AGE_CHANGE and 2018 - (m.birth_year + 1) >= 31:
            m.birth_year += 1
        elif change < TARGET_AGE_CHANGE and 2018 - (m.birth_year - 1) <= 60:
            m.birth_year -= 1


def seed_committees(villages: dict[str, Village]) -> None:
    codes = list(villages)
    rows = _committee_rows(codes)
    for year, by_code in rows.items():
        for code, members in by_code.items():
            term, _ = CommitteeTerm.objects.update_or_create(
                village=villages[code],
                year=year,
                defaults={
                    "elected_on": datetime.date(year, 3 if year == 2015 else 4, 10 + codes.index(code) % 15),
                    "petitions": (1 if year == 2015 and codes.index(code) % 6 == 0 else 0),
                    "note": "依托党群圆桌会完成换届，实现换届零信访。" if year == 2018 else "",
                },
            )
            keep = []
            for m in members:
                obj, _ = CommitteeMember.objects.update_or_create(
                    term=term,
                    name=m.name,
                    defaults={
                        "role": m.role,
                        "gender": m.gender,
                        "birth_year": m.birth_year,
                        "education": m.education,
                        "from_roundtable": m.from_roundtable,
                    },
                )
                keep.append(obj.pk)
            # A change of the generator must not leave former demo members behind.
            term.members.exclude(pk__in=keep).delete()


def seed(township: Township, stdout=None) -> None:
    """Creates or updates the demo talent pool, councils and committee terms; idempotent."""
    order = list(TALENTS_PER_VILLAGE)
    by_code = {v.code: v for v in Village.objects.filter(township=township, code__in=order)}
    villages = [by_code[c] for c in order if c in by_code]
    created = seed_talents(villages)
    seed_councils(by_code)
    seed_committees({c: by_code[c] for c in order if c in by_code})
    if stdout:
        stdout.write(
            f"  {Talent.objects.filter(village__township=township).count()} talents ({created} new), "
            f"{AdvisoryCouncil.objects.filter(village__township=township).count()} red advisory councils, "
            "committee terms 2015 and 2018"
        )
