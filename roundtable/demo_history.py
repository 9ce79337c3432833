"""The pilot villages' settled disputes since 2016, as closed matters with their whole history.

The source reports that since 2016 two pilot villages (新东村 and 洪四村) resolved over 70 land disputes,
over 50 petitions and over 100 neighbour disputes through their roundtables. Carrying 230 matters through
the workflow functions one by one would make seed_demo slow, so this module is the documented bulk path:
it writes, with ``bulk_create``, exactly the rows the workflow would have written for a matter that went
through all six steps — the issue (closed), two opinions, a held and signed-off meeting with attendance
and agenda, an adopted resolution (for > half of those present), a public completion report, the
supervisor's confirmation, the raiser's rating — and one timeline entry per move in the order the moves
happen (created → soliciting → deliberating → decided → executing → supervising → closed), with the
stage's ``from``/``to`` and times that only go forward. No notification is written: this is history.

Idempotent: a matter is identified by its village and title; nothing is written twice.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, User
from roundtable.models import (
    AgendaItem,
    Attendance,
    Issue,
    Meeting,
    Opinion,
    ProgressUpdate,
    Resolution,
    Roundtable,
    Satisfaction,
    Stage,
    SupervisionVerdict,
    TimelineEntry,
)
from roundtable.services import tallies_rebuild
from villages.models import Township, Village

FIRST_YEAR, LAST_YEAR = 2016, 2025
# village code -> {category: number of closed matters}
PLAN = {
    "xindong": {
        Issue.Category.LAND_DISPUTE: 38,
        Issue.Category.PETITION: 27,
        Issue.Category.NEIGHBOUR_DISPUTE: 53,
    },
    "hongsi": {
        Issue.Category.LAND_DISPUTE: 35,
        Issue.Category.PETITION: 25,
        Issue.Category.NEIGHBOUR_DISPUTE: 50,
    },
}

# Matters that became featured projects (projects/demo.py links them): raised and settled before the
# project started. village code -> [(title, raised on)]
ORIGIN_MATTERS = {
    "xindong": [("建议发展乡村旅游，打造“一花五叶”花海观光带", datetime.date(2016, 9, 12))],
    "hongsi": [("建议保护古厝群并改造为民宿", datetime.date(2016, 11, 5))],
}
ORIGIN_RESOLUTION = (
    "同意提请镇党委、政府立项，请高校旅游研究所编制规划；群众自愿以资金、土地入股，成立专班推进。"
)

PLACES = ["后山", "溪边", "村口", "老厝旁", "水库下游", "茶园", "龙眼林", "机耕路旁", "晒谷场", "祖厝后"]
LAND_OBJECTS = [
    "林地界址",
    "责任田边界",
    "宅基地界址",
    "自留山权属",
    "承包地调整",
    "荒坡开垦地",
    "鱼塘承包",
    "果园流转",
]
LAND_VERBS = ["争议", "纠纷", "确权", "调处"]
PETITION_SUBJECTS = [
    "低保评定结果",
    "征地补偿款分配",
    "危房改造名额",
    "村财务收支",
    "集体山林承包费",
    "困难救助名单",
    "道路硬化占地补偿",
    "水利工程质量",
    "村集体厂房租金",
    "医保缴费补助",
]
PETITION_ASKS = ["要求公开", "要求复核", "反映不公", "要求说明"]
NEIGHBOUR_OBJECTS = [
    "排水沟堵塞",
    "建房遮挡采光",
    "围墙越界",
    "共用道路通行",
    "家禽散养扰邻",
    "屋檐滴水",
    "树木越界遮阴",
    "堆放杂物占道",
    "噪音扰民",
    "共用水井使用",
    "化粪池渗漏",
    "猪舍异味",
]

OPINIONS = {
    Issue.Category.LAND_DISPUTE: [
        ("support", "建议请镇国土所按确权图现场测量后定界。"),
        ("support", "双方都有老契约，应以当年分田时的册子为准。"),
        ("neutral", "先由小组长召集两户当面核对，别急着动土。"),
        ("oppose", "不宜重新调整，应维持现状，避免牵连其他户。"),
        ("support", "可以请老党员做见证人，立界桩并签字确认。"),
    ],
    Issue.Category.DEVELOPMENT: [
        ("support", "支持，可请高校旅游研究所做规划。"),
        ("neutral", "担心占用耕地，要先搞清楚土地性质。"),
        ("support", "愿意拿出两亩地入股。"),
    ],
    Issue.Category.PETITION: [
        ("support", "应当按规定张榜公示，接受群众监督。"),
        ("support", "建议村务监督委员会逐笔核对后答复。"),
        ("neutral", "先把政策依据讲清楚，再听当事人诉求。"),
        ("oppose", "评定程序已合规，不宜推翻，但要做好解释。"),
        ("support", "请镇里派人列席，答复更有公信力。"),
    ],
    Issue.Category.NEIGHBOUR_DISPUTE: [
        ("support", "两家各让一步，费用平摊，村里出工协调。"),
        ("support", "按村规民约处理，限期整改。"),
        ("neutral", "先由网格员上门调解，调不成再上圆桌会。"),
        ("oppose", "不同意一方单独承担费用，应按受益分摊。"),
        ("support", "建议立个书面协议，请小组长签字见证。"),
    ],
}

RESOLUTIONS = {
    Issue.Category.LAND_DISPUTE: [
        "经现场测量，以{year}年确权图为准重新立界桩{n}处，双方签字确认，争议地块维持原承包关系。",
        "{place}争议地块按当年分田册子划定，多占部分{n}平方米退还，由小组长监督执行。",
        "双方同意以{place}水沟中线为界，村里出资立界碑，协议报镇司法所备案。",
        "争议林地暂由村集体托管，待镇林业站勘界后{n}日内出具意见，期间任何一方不得砍伐。",
        "承包地按人口变化调整，新增{n}分地从机动地中划拨，张榜公示七天无异议后执行。",
    ],
    Issue.Category.PETITION: [
        "由村务监督委员会逐笔复核{subject}，{n}日内在村务公开栏张榜公示，并当面答复反映人。",
        "{subject}按镇里文件重新评议，评议会邀请村民代表{n}人列席，结果公示七天。",
        "村两委就{subject}作出书面说明，补发遗漏款项，今后每季度公开一次。",
        "经核实{subject}程序合规，由包村干部上门解释政策依据，并将答复记录存档。",
        "{subject}提交村民代表会议表决，{n}名代表参加，表决结果报镇备案。",
    ],
    Issue.Category.NEIGHBOUR_DISPUTE: [
        "{object}问题由双方平摊费用整改，村里出工{n}个，限期两周完成。",
        "按村规民约，责任方{n}日内自行整改，小组长督促，逾期由村里组织清理。",
        "两户签订相邻关系协议，约定{object}的处理方式，小组长和网格员见证。",
        "村里协调在{place}另行开挖排水沟{n}米，费用从公益金列支，两户出工配合。",
        "调解达成一致：{object}恢复原状，另一方不再追究，双方握手言和。",
    ],
}
COMPLETIONS = [
    "已按决议办结，现场照片和签字协议存档，结果在村务公开栏公示。",
    "整改完成，小组长现场验收，双方均表示满意。",
    "已办结并张榜公示七天，无异议。",
    "界桩已立、协议已签，镇司法所已备案。",
    "款项已补发到户，答复记录存档备查。",
]
# Notes a cadre kept internal: on every fourth matter, the acceptance note and a progress note.
INTERNAL_NOTES = [
    "当事人情绪激动，调解时注意方式方法",
    "涉及亲属关系，暂不对外说明",
    "双方曾有旧怨，调解时分开谈",
    "一方在外务工，需电话沟通",
]
INTERNAL_PROGRESS = ["施工方报价偏高，正在压价", "一户仍有顾虑，小组长再去做工作", "费用垫付待村务会追认"]
RATING_COMMENTS = ["办得公道。", "谢谢圆桌会。", "总算解决了。", "还算满意。", "希望以后更快一些。", ""]
SURNAMES = "陈林黄洪王李张吴郑刘蔡苏许谢杨曾周翁卢钟"
GIVEN = "建秀志丽明海文春国玉振美德淑金永桂清福素光晓"


def _title(category: str, rng: random.Random, group_name: str, year: int) -> str:
    place = rng.choice(PLACES)
    if category == Issue.Category.LAND_DISPUTE:
        text = f"{group_name}{place}{rng.choice(LAND_OBJECTS)}{rng.choice(LAND_VERBS)}"
    elif category == Issue.Category.PETITION:
        text = f"{rng.choice(PETITION_ASKS)}{rng.choice(PETITION_SUBJECTS)}（{group_name}）"
    else:
        text = f"{group_name}{place}{rng.choice(NEIGHBOUR_OBJECTS)}"
    return f"{text}·{year}"


def _moment(year: int, rng: random.Random) -> datetime.datetime:
    day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 300))
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)))
    )


def _matters(village: Village, rng: random.Random):
    """(category, year, group_index) for every planned matter, spread evenly over the years."""
    plan = PLAN.get(village.code, {})
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    for category, count in plan.items():
        for i in range(count):
            yield category, years[i * len(years) // count], i


@transaction.atomic
def seed(township: Township, stdout=None) -> int:
    """Writes the missing historic matters; returns how many were written."""
    rng = random.Random(2016)  # noqa: S311 (demo data, not security)
    written = 0
    villages = list(Village.objects.filter(township=township, code__in=PLAN).order_by("code"))
    for village in villages:
        written += _seed_village(village, rng)
    if written:
        # Written around the workflow, so the villages' issue counts are counted again.
        tallies_rebuild(village_ids=[v.pk for v in villages])
    if stdout:
        stdout.write(f"  {written} settled disputes since {FIRST_YEAR} (pilot history)")
    return written


def _seed_village(village: Village, rng: random.Random) -> int:
    roundtables = list(
        Roundtable.objects.filter(village=village)
        .select_related("group")
        .prefetch_related("members")
        .order_by("pk")
    )
    cadre = (
        User.objects.filter(memberships__village=village, memberships__role=Membership.Role.CADRE)
        .order_by("pk")
        .first()
    )
    supervisor = (
        User.objects.filter(memberships__village=village, memberships__role=Membership.Role.SUPERVISOR)
        .order_by("pk")
        .first()
    )
    if not roundtables or cadre is None or supervisor is None:
        return 0
    # The plan is drawn from a generator of the village's own, whatever the database holds, so that a
    # second run draws the same titles and finds them all written.
    plan_rng = random.Random(f"history-{village.code}")  # noqa: S311 (demo data, not security)
    seen: set[str] = set()
    planned = []
    for category, year, i in _matters(village, plan_rng):
        roundtable = roundtables[i % len(roundtables)]
        group_name = roundtable.group.name if roundtable.group else ""
        title = _title(category, plan_rng, group_name, year)
        while title in seen:
            title = _title(category, plan_rng, group_name, year)
        seen.add(title)
        planned.append((category, year, roundtable, title, _moment(year, plan_rng)))
    for title, raised_on in ORIGIN_MATTERS.get(village.code, []):
        raised = timezone.make_aware(datetime.datetime.combine(raised_on, datetime.time(10, 0)))
        planned.append((Issue.Category.DEVELOPMENT, raised_on.year, roundtables[0], title, raised))
    existing = set(Issue.objects.filter(village=village).values_list("title", flat=True))
    specs = [spec for spec in planned if spec[3] not in existing]
    if not specs:
        return 0

    # One meeting per roundtable and month takes that month's matters.
    meetings: dict[tuple[int, int, int], Meeting] = {}
    for _category, _year, roundtable, _name, raised in specs:
        sits = raised + datetime.timedelta(days=12)
        key = (roundtable.pk, sits.year, sits.month)
        if key not in meetings:
            starts = timezone.make_aware(datetime.datetime(sits.year, sits.month, min(sits.day, 28), 19, 30))
            starts = max(starts, raised + datetime.timedelta(days=10))
            meetings[key] = Meeting(
                roundtable=roundtable,
                starts_at=starts,
                place=village.name + rng.choice(["村委会会议室", "党群服务中心", "祠堂议事厅", "文化礼堂"]),
                state=Meeting.State.HELD,
                held_at=starts + datetime.timedelta(minutes=5),
                signed_off_at=starts + datetime.timedelta(hours=2),
                signed_off_by=cadre,
                created_by=cadre,
                minutes="",
            )
    Meeting.objects.bulk_create(meetings.values())
    members = {rt.pk: [m for m in rt.members.all() if m.is_active] for rt in roundtables}
    for meeting in meetings.values():
        meeting.chair_id = members[meeting.roundtable_id][0].pk if members[meeting.roundtable_id] else None

    issues, plans = [], []
    for category, _year, roundtable, title, raised in specs:
        meeting = meetings[
            (
                roundtable.pk,
                (raised + datetime.timedelta(days=12)).year,
                (raised + datetime.timedelta(days=12)).month,
            )
        ]
        anonymous = rng.random() < 0.3
        issue = Issue(
            village=village,
            group=roundtable.group,
            title=title,
            description=f"{title.split('·')[0]}，当事双方多次协商未果，请求圆桌会协调处理。",
            category=category,
            channel=rng.choice(
                [Issue.Channel.IN_PERSON, Issue.Channel.PHONE, Issue.Channel.MEMBER, Issue.Channel.LETTER]
            ),
            raiser_name="" if anonymous else rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            raiser_mobile="" if anonymous or rng.random() < 0.5 else f"13{rng.randint(100000000, 999999999)}",
            is_anonymous=anonymous,
            consent_at=None if anonymous else raised,
            stage=Stage.CLOSED,
            created_by=cadre,
            created_at=raised,
        )
        present = len(members[roundtable.pk])  # everyone is marked present on the meeting's attendance
        against = rng.choice([0, 0, 0, 1])
        abstain = rng.choice([0, 0, 1, 2]) if present > 3 else 0
        votes_for = present - against - abstain
        if votes_for * 2 <= present:
            votes_for, against, abstain = present, 0, 0
        opinions = rng.sample(OPINIONS.get(category, OPINIONS[Issue.Category.PETITION]), 2)
        template = rng.choice(RESOLUTIONS.get(category, [ORIGIN_RESOLUTION]))
        text = template.format(
            year=rng.choice([1998, 2002, 2009]),
            n=rng.randint(2, 15),
            place=rng.choice(PLACES),
            subject=rng.choice(PETITION_SUBJECTS),
            object=rng.choice(NEIGHBOUR_OBJECTS),
        )
        decided = meeting.starts_at + datetime.timedelta(hours=1)
        started = decided + datetime.timedelta(days=rng.randint(1, 4))
        done = started + datetime.timedelta(days=rng.randint(5, 40))
        closed = done + datetime.timedelta(days=rng.randint(1, 6))
        issue.stage_entered_at = closed
        issue.stage_due_at = None
        issues.append(issue)
        plans.append(
            {
                "meeting": meeting,
                "present": present,
                "votes": (votes_for, against, abstain),
                "opinions": opinions,
                "text": text,
                "accepted": raised + datetime.timedelta(days=rng.randint(1, 3)),
                "decided": decided,
                "due": (decided + datetime.timedelta(days=rng.randint(20, 60))).date(),
                "started": started,
                "done": done,
                "closed": closed,
                "score": rng.choice([5, 5, 4, 4, 4, 3, 5, 2]),
                "comment": rng.choice(RATING_COMMENTS),
                "completion": rng.choice(COMPLETIONS),
                "internal": f"内部备注：{title.split('·')[0]}，{rng.choice(INTERNAL_NOTES)}。"
                if len(plans) % 4 == 0
                else "",
                "internal_progress": f"内部：{title.split('·')[0]}，{rng.choice(INTERNAL_PROGRESS)}。",
            }
        )
    Issue.objects.bulk_create(issues)
    # bulk_create with auto fields returns pks on PostgreSQL and SQLite ≥ 3.35; read them back to be sure.
    by_title = dict(
        Issue.objects.filter(village=village, title__in=[i.title for i in issues]).values_list("title", "pk")
    )
    for issue in issues:
        issue.pk = by_title[issue.title]

    attendance, agenda, opinions, resolutions, progress, verdicts, ratings, timeline = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    order_in_meeting: dict[int, int] = {}
    for meeting in meetings.values():
        for member in members[meeting.roundtable_id]:
            attendance.append(Attendance(meeting=meeting, member=member, status=Attendance.Status.PRESENT))
    for issue, plan in zip(issues, plans, strict=True):
        meeting = plan["meeting"]
        order_in_meeting[meeting.pk] = order_in_meeting.get(meeting.pk, 0) + 1
        item = AgendaItem(
            meeting=meeting,
            issue=issue,
            order=order_in_meeting[meeting.pk],
            discussion="与会成员逐一发表意见："
            + "；".join(t.rstrip("。") for _s, t in plan["opinions"])
            + "。",
            outcome=AgendaItem.Outcome.DECIDED,
        )
        agenda.append(item)
        for k, (stance, text) in enumerate(plan["opinions"]):
            opinions.append(
                Opinion(
                    issue=issue,
                    party="村民代表" if k == 0 else "小组长",
                    source=Opinion.Source.MEMBER,
                    stance=stance,
                    text=text,
                    author=cadre,
                    created_at=plan["accepted"] + datetime.timedelta(days=k + 1),
                )
            )
        f, a, b = plan["votes"]
        resolutions.append(
            Resolution(
                meeting=meeting,
                issue=issue,
                village_id=issue.village_id,
                agenda_item=item,
                text=plan["text"],
                votes_for=f,
                votes_against=a,
                votes_abstain=b,
                responsible=cadre,
                due_date=plan["due"],
                created_at=plan["decided"],
            )
        )
        if plan["internal"]:
            progress.append(
                ProgressUpdate(
                    issue=issue,
                    percent=50,
                    note=plan["internal_progress"],
                    note_is_public=False,
                    author=cadre,
                    created_at=plan["started"] + datetime.timedelta(days=2),
                )
            )
        progress.append(
            ProgressUpdate(
                issue=issue,
                percent=100,
                note=plan["completion"],
                is_completion=True,
                note_is_public=True,
                author=cadre,
                created_at=plan["done"],
            )
        )
        verdicts.append(
            SupervisionVerdict(
                issue=issue,
                supervisor=supervisor,
                verdict=SupervisionVerdict.Verdict.CONFIRM,
                reason="经现场查看，办理到位。",
                created_at=plan["closed"],
            )
        )
        ratings.append(
            Satisfaction(
                issue=issue,
                score=plan["score"],
                comment=plan["comment"],
                created_at=plan["closed"] + datetime.timedelta(days=1),
            )
        )
        timeline.extend(_timeline(issue, plan, cadre, supervisor))
    AgendaItem.objects.bulk_create(agenda)
    for item, resolution in zip(agenda, resolutions, strict=True):
        resolution.agenda_item = item
    Attendance.objects.bulk_create(attendance)
    Opinion.objects.bulk_create(opinions)
    Resolution.objects.bulk_create(resolutions)
    ProgressUpdate.objects.bulk_create(progress)
    SupervisionVerdict.objects.bulk_create(verdicts)
    Satisfaction.objects.bulk_create(ratings)
    TimelineEntry.objects.bulk_create(timeline)
    for meeting in meetings.values():
        titles = [i.title for i, p in zip(issues, plans, strict=True) if p["meeting"] is meeting]
        meeting.minutes = (
            f"{meeting.roundtable.name}会议，应到{len(members[meeting.roundtable_id])}人。议题："
            + "；".join(titles)
            + "。逐项表决通过，会后公示。"
        )
    Meeting.objects.bulk_update(meetings.values(), ["minutes", "chair"])
    return len(issues)


def _timeline(issue: Issue, plan: dict, cadre: User, supervisor: User) -> list[TimelineEntry]:
    """The entries the workflow functions write for a matter carried through all six steps, in order."""
    cadre_label, supervisor_label = cadre.get_short_name(), supervisor.get_short_name()
    f, a, b = plan["votes"]
    when = plan["meeting"].starts_at
    K, S = TimelineEntry.Kind, Stage

    def entry(
        kind, at, note="", *, frm="", to="", label=cadre_label, actor=cadre, public=True, note_public=True
    ):
        return TimelineEntry(
            issue=issue,
            kind=kind,
            actor=actor,
            actor_label=label,
            from_stage=frm,
            to_stage=to,
            note=note,
            is_public=public,
            note_is_public=note_public,
            created_at=at,
        )

    return [
        entry(K.CREATED, issue.created_at, "由村干部登记。", to=S.RAISED, label="村民"),
        entry(
            K.STAGE,
            plan["accepted"],
            plan["internal"] or "已受理，进入征求意见阶段。",
            frm=S.RAISED,
            to=S.SOLICITING,
            note_public=not plan["internal"],
        ),
        *[
            entry(K.OPINION, plan["accepted"] + datetime.timedelta(days=k + 1), "记录了一条意见。")
            for k in range(len(plan["opinions"]))
        ],
        entry(
            K.STAGE,
            plan["accepted"] + datetime.timedelta(days=3),
            f"列入{plan['meeting'].roundtable.name} {timezone.localtime(when):%Y-%m-%d %H:%M} 会议议程。",
            frm=S.SOLICITING,
            to=S.DELIBERATING,
        ),
        entry(
            K.STAGE,
            plan["decided"],
            f"决议（赞成{f}，反对{a}，弃权{b}）：{plan['text']}",
            frm=S.DELIBERATING,
            to=S.DECIDED,
        ),
        entry(K.ASSIGNED, plan["decided"], f"责任人：{cadre_label}，期限{plan['due']}。", public=False),
        entry(K.STAGE, plan["started"], "开始办理。", frm=S.DECIDED, to=S.EXECUTING),
        *(
            [
                entry(
                    K.PROGRESS,
                    plan["started"] + datetime.timedelta(days=2),
                    f"50% · {plan['internal_progress']}",
                    note_public=False,
                )
            ]
            if plan["internal"]
            else []
        ),
        entry(K.STAGE, plan["done"], plan["completion"], frm=S.EXECUTING, to=S.SUPERVISING),
        entry(
            K.STAGE,
            plan["closed"],
            "经现场查看，办理到位。",
            frm=S.SUPERVISING,
            to=S.CLOSED,
            label=supervisor_label,
            actor=supervisor,
        ),
        entry(
            K.RATING,
            plan["closed"] + datetime.timedelta(days=1),
            f"反映人评价 {plan['score']} 分（满分5分）。",
            label="村民",
            actor=None,
        ),
    ]
