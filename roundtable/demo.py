"""Demo roundtables, members, meetings and issues for 罗溪镇, driven through the real workflow.

Each issue is carried from its raising to its demo stage by the same functions the pages call, with the
portal's clock travelled back (``core.clock.travel``, no test library) so the timeline reads like months
of real use. Re-running changes nothing: roundtables and members are matched by name, issues by village
and title.
"""

import datetime
import random

from django.utils import timezone

from accounts.models import Membership, User
from core import clock
from roundtable import services, workflow
from roundtable.models import Attendance, Issue, Meeting, Opinion, Roundtable, RoundtableMember, Stage
from villages.models import Township, Village

SURNAMES = "陈林黄洪王李张吴郑刘蔡苏许谢杨曾周翁卢钟"
GIVEN = [
    "建国",
    "秀英",
    "志强",
    "丽华",
    "明辉",
    "海燕",
    "文斌",
    "春梅",
    "国庆",
    "玉兰",
    "振华",
    "美玲",
    "德胜",
    "淑芬",
    "金水",
    "小红",
    "永和",
    "桂香",
    "清泉",
    "雪梅",
    "福生",
    "素珍",
    "光明",
    "晓燕",
]
PLACES = ["村委会会议室", "村党群服务中心", "祠堂议事厅", "村文化礼堂", "老年活动中心"]

# title, category, description, opinion texts
MATTERS = [
    (
        "宅基地边界不清引发争议",
        Issue.Category.LAND_DISPUTE,
        "我家与邻居两户宅基地之间的界址一直没有明确，今年邻居翻建围墙占了约半米，双方多次协商未果，请圆桌会帮忙调解确权。",
        ["建议请镇国土所现场测量，按确权图定界。", "双方都是老邻居，先坐下来谈，别伤了和气。"],
    ),
    (
        "村道路灯损坏，夜间出行不安全",
        Issue.Category.PUBLIC_SERVICE,
        "从村口到第三组的村道有六盏路灯坏了两个多月，晚上老人孩子出行很不方便，希望尽快修复并增设两盏。",
        ["支持修复，费用可从村集体公益金列支。", "建议换成太阳能路灯，省电费。"],
    ),
    (
        "农田灌溉水渠淤塞，影响春耕",
        Issue.Category.PUBLIC_SERVICE,
        "东片农田的灌溉水渠淤泥堆积、部分渠壁垮塌，春耕放水困难，约八十亩田受影响。",
        ["建议组织村民投工投劳清淤，村里出材料费。", "垮塌段需要请施工队浇筑，不能只清淤。"],
    ),
    (
        "垃圾收集点设置不合理、清运不及时",
        Issue.Category.ENVIRONMENT,
        "第二组垃圾桶放在小学门口，夏天气味大，清运两三天才一次，建议移到路口并增加清运频次。",
        ["同意搬迁，新位置要征求路口几户的意见。", "可以实行垃圾分类积分，带动大家参与。"],
    ),
    (
        "建议发展乡村旅游，打造花卉观光带",
        Issue.Category.DEVELOPMENT,
        "村里山水资源好，建议利用闲置山地种植花卉，联合合作社打造观光带和民宿，带动村民增收。",
        ["支持，可请高校旅游研究所做规划。", "担心占用耕地，要先搞清楚土地性质。", "愿意拿出两亩地入股。"],
    ),
    (
        "邻居排水沟改道导致我家院子积水",
        Issue.Category.NEIGHBOUR_DISPUTE,
        "邻居去年把屋后排水沟改到我家一侧，下雨时院子积水严重，墙脚已经发霉，沟通多次没有结果。",
        ["建议恢复原排水走向，村里协调出工。", "两家共用一条排水管，费用平摊。"],
    ),
    (
        "河道沿岸乱倒建筑垃圾",
        Issue.Category.ENVIRONMENT,
        "罗溪支流沿岸近期有人夜间倾倒建筑垃圾，河道变窄，雨季容易漫堤，请村里清理并加强巡查。",
        ["建议装监控，并在村规民约中明确处罚。", "组织党员志愿者周末清理。"],
    ),
    (
        "老年人看病取药不方便",
        Issue.Category.PUBLIC_SERVICE,
        "村卫生所只有上午开门，常用药经常缺货，独居老人去镇上取药要换两趟车，希望增加巡诊。",
        ["建议与镇卫生院签约，每周两次下村巡诊。", "可以由网格员代购常用药。"],
    ),
    (
        "党员活动室利用率低，建议改为议事厅",
        Issue.Category.PARTY_BUILDING,
        "村党员活动室平时大多锁着，建议改造成党群议事厅，圆桌会和村民议事都能用。",
        ["支持，配上投影和桌椅即可。", "要保留党员学习资料角。"],
    ),
    (
        "反映低保评定不公开",
        Issue.Category.PETITION,
        "部分村民反映今年低保名单评定过程没有公示，希望公开评定标准和名单，接受群众监督。",
        ["应当按规定张榜公示七天。", "建议评议会邀请村务监督委员会列席。"],
    ),
    (
        "山林承包合同到期续签争议",
        Issue.Category.LAND_DISPUTE,
        "第五组集体山林承包合同今年到期，原承包人要求按原价续签，部分村民认为应公开招标。",
        ["按村规公开竞价更公平。", "原承包人多年管护有功，可在同等条件下优先。"],
    ),
    (
        "村小组道路硬化申请",
        Issue.Category.DEVELOPMENT,
        "第四组通往茶园的三百米土路雨天泥泞，运茶叶的车进不去，申请纳入今年道路硬化项目。",
        ["可申请一事一议财政奖补。", "沿线农户愿意无偿让出路肩用地。"],
    ),
    (
        "广场舞音响扰民",
        Issue.Category.NEIGHBOUR_DISPUTE,
        "每晚广场舞音响开到十点多，附近住户有高考学生和上夜班的人，影响休息。",
        ["约定九点前结束、音量减半。", "可以换到村委会后面的空地。"],
    ),
    (
        "自来水水压不足",
        Issue.Category.PUBLIC_SERVICE,
        "地势较高的几户人家早晚用水高峰时基本没水，需要加装增压泵或更换主管。",
        ["建议请水务站检测管网。", "先装临时增压泵解决急需。"],
    ),
]

# The demo stage of each matter, per village; pilots run through every stage and terminal state.
PILOT_PLAN = [
    Stage.RAISED,
    Stage.SOLICITING,
    Stage.DELIBERATING,
    Stage.DECIDED,
    Stage.EXECUTING,
    Stage.SUPERVISING,
    Stage.CLOSED,
    Stage.CLOSED,
    Stage.REJECTED,
    Stage.WITHDRAWN,
    Stage.MERGED,
    Stage.RAISED,
]
OTHER_PLAN = [Stage.RAISED, Stage.SOLICITING, Stage.EXECUTING, Stage.CLOSED]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _roundtables(village: Village, official: User | None, rng: random.Random) -> list[Roundtable]:
    groups = list(village.groups.order_by("order"))
    specs = (
        [(g, f"{g.name}党群圆桌会") for g in groups]
        if village.is_pilot or (groups and groups[0].kind == "area")
        else [(None, f"{village.name}党群圆桌会")]
    )
    roundtables = []
    for group, name in specs:
        roundtable, created = Roundtable.objects.get_or_create(
            village=village,
            name=name,
            defaults={"group": group, "liaison": official, "founded": village.roundtable_founded},
        )
        if created:
            roles = [RoundtableMember.Role.PARTY_MEMBER] * 3 + [
                RoundtableMember.Role.GROUP_LEADER,
                RoundtableMember.Role.REPRESENTATIVE,
                RoundtableMember.Role.REPRESENTATIVE,
                RoundtableMember.Role.TALENT,
            ]
            for i, role in enumerate(roles):
                services.member_add(
                    roundtable=roundtable,
                    name=_name(rng),
                    role=role,
                    is_party_member=role == RoundtableMember.Role.PARTY_MEMBER or i == 3,
                    mobile=f"13{rng.randint(500000000, 999999999)}",
                )
        roundtables.append(roundtable)
    return roundtables


def _staff(village: Village, role: str, prefix: str, title: str) -> User:
    email = f"{prefix}@{village.code}.demo"
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=None, display_name=f"{village.name} · {title}"
    )
    Membership.objects.get_or_create(user=user, role=role, village=village)
    return user


def _at(moment):
    """Runs the block at `moment`: every timestamp the workflow writes comes from the portal's clock."""
    return clock.travel(moment)


def _drive(
    issue: Issue,
    target: str,
    *,
    roundtable: Roundtable,
    cadre: User,
    supervisor: User,
    opinions: list[str],
    start: datetime.datetime,
    rng: random.Random,
    merge_into: Issue | None,
):
    """Carries a freshly raised issue to the target stage through the workflow, a few days per step."""
    moment = start
    if target == Stage.RAISED:
        return
    if target == Stage.REJECTED:
        with _at(moment + datetime.timedelta(days=1)):
            workflow.issue_reject(
                issue=issue,
                actor=cadre,
                reason="经核实属于个人经营纠纷，不属于圆桌会议事范围，已告知可通过司法途径解决。",
                note_public=True,
            )
        return
    if target == Stage.MERGED:
        with _at(moment + datetime.timedelta(hours=5)):
            workflow.issue_merge(issue=issue, actor=cadre, target_issue=merge_into)
        return
    moment += datetime.timedelta(days=1)
    with _at(moment):
        workflow.issue_accept(issue=issue, actor=cadre, note="已受理，进入征求意见阶段。", note_public=True)
    for i, text in enumerate(opinions):
        moment += datetime.timedelta(days=1)
        with _at(moment):
            workflow.issue_add_opinion(
                issue=issue,
                actor=cadre,
                party=f"{_name(rng)}（村民代表）",
                source=Opinion.Source.MEMBER,
                stance="support" if i != 1 else "neutral",
                text=text,
            )
    if target == Stage.SOLICITING:
        return
    if target == Stage.WITHDRAWN:
        with _at(moment + datetime.timedelta(days=1)):
            workflow.issue_withdraw(issue=issue, note="双方已自行协商解决，撤回。")
        return
    moment += datetime.timedelta(days=1)
    future = target == Stage.DELIBERATING
    meeting_time = (
        (timezone.now() + datetime.timedelta(days=3)) if future else moment + datetime.timedelta(days=4)
    )
    meeting_time = timezone.localtime(meeting_time).replace(hour=19, minute=30, second=0, microsecond=0)
    with _at(moment):
        meeting = services.meeting_schedule(
            roundtable=roundtable, starts_at=meeting_time, place=rng.choice(PLACES), actor=cadre
        )
        item = workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=meeting)
    if future:
        return
    members = list(roundtable.members.filter(is_active=True))
    with _at(meeting_time + datetime.timedelta(minutes=5)):
        statuses = {m.pk: Attendance.Status.PRESENT for m in members}
        statuses[members[-1].pk] = Attendance.Status.EXCUSED
        # An excused chair hands the meeting to the first member present.
        substitute = members[0] if workflow.substitute_needed(meeting, statuses) else None
        services.meeting_record_attendance(meeting=meeting, statuses=statuses, substitute_chair=substitute)
    present = len(members) - 1
    with _at(meeting_time + datetime.timedelta(hours=1)):
        discussion = "与会成员逐一发表意见：" + "；".join(o.rstrip("。") for o in opinions) + "。"
        workflow.issue_decide(
            issue=issue,
            actor=cadre,
            agenda_item=item,
            discussion=discussion,
            text=f"同意办理“{issue.title}”，由村两委牵头、相关小组配合，一个月内完成并公示结果。",
            votes_for=present - 1,
            votes_against=0,
            votes_abstain=1,
            responsible=cadre,
            due_date=(meeting_time + datetime.timedelta(days=30)).date(),
        )
        services.meeting_save_minutes(
            meeting=meeting,
            minutes=(
                f"{roundtable.name}会议。应到{len(members)}人，实到{present}人，符合议事规则。\n"
                f"议题：{issue.title}。\n{discussion}\n表决通过，会后公示。"
            ),
        )
        services.meeting_sign_off(meeting=meeting, actor=cadre)
    if target == Stage.DECIDED:
        return
    moment = meeting_time + datetime.timedelta(days=2)
    with _at(moment):
        workflow.issue_start(issue=issue, actor=cadre, note="已组织施工/调解，开始办理。", note_public=True)
    with _at(moment + datetime.timedelta(days=6)):
        workflow.issue_report_progress(
            issue=issue, actor=cadre, percent=60, note="主体工作已完成六成。", note_public=True
        )
    if target == Stage.EXECUTING:
        return
    with _at(moment + datetime.timedelta(days=12)):
        workflow.issue_report_done(
            issue=issue,
            actor=cadre,
            note="已全部办结，现场照片和验收记录已存档，结果在村务公开栏公示。",
            note_public=True,
        )
    if target == Stage.SUPERVISING:
        return
    with _at(moment + datetime.timedelta(days=14)):
        workflow.issue_confirm(
            issue=issue, supervisor=supervisor, note="经现场查看，办理到位。", note_public=True
        )
        workflow.issue_rate(issue=issue, score=rng.choice([4, 5, 5]), comment="办得实在，谢谢圆桌会。")


def seed(township: Township, stdout=None) -> None:
    """Roundtables for every group of the pilots and at least one per other village; issues in every stage."""
    rng = random.Random(20160301)
    official = (
        User.objects.filter(memberships__role=Membership.Role.OFFICIAL, memberships__township=township)
        .order_by("pk")
        .first()
    )
    member_user = User.objects.filter(email="member@xindong.demo").first()
    for vindex, village in enumerate(Village.objects.filter(township=township).order_by("-is_pilot", "code")):
        roundtables = _roundtables(village, official, rng)
        if member_user and village.code == "xindong":
            seat = (
                roundtables[0]
                .members.order_by("pk")
                .filter(role=RoundtableMember.Role.REPRESENTATIVE)
                .first()
            )
            if (
                seat
                and seat.user_id is None
                and not RoundtableMember.objects.filter(user=member_user).exists()
            ):
                seat.user = member_user
                seat.email = member_user.email
                seat.save(update_fields=["user", "email"])
            # The account and its roundtable seat are one person: the record carries the account's name.
            RoundtableMember.objects.filter(user=member_user).exclude(name=member_user.display_name).update(
                name=member_user.display_name
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
        # Villages without a published demo account get staff who cannot sign in (no password).
        cadre = cadre or _staff(village, Membership.Role.CADRE, "cadre", "村干部")
        supervisor = supervisor or _staff(village, Membership.Role.SUPERVISOR, "supervisor", "监督委员")
        plan = PILOT_PLAN if village.is_pilot else OTHER_PLAN
        first_issue = None
        for n, target in enumerate(plan):
            title, category, description, opinions = MATTERS[(vindex * 3 + n) % len(MATTERS)]
            if target == Stage.MERGED and first_issue is not None:
                title, category, description, opinions = (
                    first_issue.title + "（重复反映）",
                    first_issue.category,
                    first_issue.description,
                    [],
                )
            if Issue.objects.filter(village=village, title=title).exists():
                first_issue = first_issue or Issue.objects.filter(village=village, title=title).first()
                continue
            roundtable = roundtables[n % len(roundtables)]
            start = timezone.now() - datetime.timedelta(days=150 - n * 11 + vindex)
            if target in (Stage.RAISED, Stage.SOLICITING, Stage.DELIBERATING):
                start = timezone.now() - datetime.timedelta(days=rng.randint(1, 6))
            with _at(start):
                issue = services.issue_create(
                    village=village,
                    title=title,
                    description=description,
                    category=category,
                    group=roundtable.group,
                    channel=rng.choice(list(Issue.Channel.values)),
                    raiser_name=_name(rng) if n % 3 else "",
                    raiser_mobile=f"139{rng.randint(10000000, 99999999)}" if n % 2 else "",
                    is_anonymous=n % 3 == 0,
                    consent=True,
                    created_by=cadre if n % 2 else None,
                )
            first_issue = first_issue or issue
            _drive(
                issue,
                target,
                roundtable=roundtable,
                cadre=cadre,
                supervisor=supervisor,
                opinions=opinions,
                start=start,
                rng=rng,
                merge_into=first_issue,
            )
    if stdout:
        stdout.write(
            f"  {Roundtable.objects.filter(village__township=township).count()} roundtables, "
            f"{Meeting.objects.filter(roundtable__village__township=township).count()} meetings, "
            f"{Issue.objects.filter(village__township=township).count()} issues"
        )
