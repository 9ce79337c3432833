"""Demo notice board for 罗溪镇: the 8 public briefings and 32 suggestions of the source report, spread
over the four pilot villages, and the pilots' step-2 matters opened for public consultation.

Idempotent: briefings are matched by village and title, suggestions by village and text.
"""

import datetime
import random

from django.utils import timezone

from accounts.models import Membership, User
from noticeboard.models import Briefing, Suggestion
from roundtable import workflow
from roundtable.models import Issue, Opinion, Resolution, Stage
from villages.models import Township, Village

# village code, date, title, body
BRIEFINGS = [
    (
        "xindong",
        datetime.date(2018, 6, 30),
        "新东村党群圆桌会2018年上半年工作通报",
        "上半年全村9个村民小组圆桌会共召开议事会议21次，议定事项34件，已办结29件。"
        "“一花五叶”花海一期种植如期完成，群众以土地入股320亩。"
        "本期附上重点事项的表决结果，欢迎村民提出意见建议。",
    ),
    (
        "xindong",
        datetime.date(2019, 12, 28),
        "新东村土地纠纷化解情况通报",
        "2016年以来，新东村圆桌会共调处土地、山林权属纠纷三十余起，全部签订书面协议并立界。"
        "本通报列出本年度议定的调处决议，供村民监督。",
    ),
    (
        "hongsi",
        datetime.date(2018, 9, 15),
        "洪四村古厝保护与民宿改造进展通报",
        "古厝群保护规划已由高校旅游研究所完成，首批6座古厝完成修缮。"
        "村民代表会议议定的分红办法见附件，改造期间施工时间为每日8时至18时。",
    ),
    (
        "hongsi",
        datetime.date(2020, 1, 10),
        "洪四村信访事项办理情况通报",
        "2019年通过圆桌会受理群众信访事项十余件，涉及低保评定、补偿款分配等，均已答复并公示。"
        "本村连续三年实现信访事项不出村。",
    ),
    (
        "jianxing",
        datetime.date(2019, 4, 20),
        "建兴村人居环境整治圆桌会议定事项通报",
        "圆桌会议定：垃圾收集点迁址、溪道清淤、村道亮化三件事，分别由村两委、第三小组和村务监督委员会跟进。"
        "请村民对实施方案提出意见。",
    ),
    (
        "jianxing",
        datetime.date(2020, 8, 1),
        "建兴村合作社分红及集体收入公示",
        "村集体经营性收入突破10万元，合作社按股分红。分红方案经圆桌会协商、村民代表会议表决通过。",
    ),
    (
        "guangqiao",
        datetime.date(2019, 7, 12),
        "广桥村红色参事会成立暨圆桌会工作通报",
        "由圆桌会骨干组成的红色参事会正式成立，首批参事12人。参事会将列席圆桌会议，参与重大事项协商。",
    ),
    (
        "guangqiao",
        datetime.date(2020, 11, 30),
        "广桥村2020年圆桌会议事情况通报",
        "全年召开圆桌会议18次，议定事项27件，群众满意度评价平均4.5分。"
        "村道拓宽、饮水管网改造两项工程已完工并通过验收。",
    ),
]

SUGGESTIONS = [
    "建议圆桌会议定事项在微信群里同步公示，方便在外务工的村民了解。",
    "花海周边停车位不够，节假日堵车，建议增设临时停车场。",
    "希望每季度公布一次村集体收支明细。",
    "建议在村口增设垃圾分类点，并安排专人指导。",
    "民宿改造施工噪音大，请严格遵守施工时间。",
    "建议给参与圆桌会的村民代表适当误工补贴。",
    "古厝修缮请尽量保留原有木雕和石构件。",
    "村道路灯晚上十点后可以关一半，节约电费。",
    "建议开设老年食堂，解决独居老人吃饭难。",
    "合作社分红方案能否再细化到每股金额？",
    "溪道清淤后请定期巡查，防止再次淤积。",
    "希望组织电商培训，帮助村民网上卖茶叶。",
    "建议圆桌会开会时间安排在晚上，方便上班的村民参加。",
    "红色参事会可以多吸收年轻人和返乡大学生。",
    "村卫生所药品不全，建议与镇卫生院签约巡诊。",
    "建议在文化礼堂设置图书角。",
    "花海门票收入请单独列账公示。",
    "建议给低保评定增加入户核查环节。",
    "希望村里统一修缮破损的机耕路。",
    "建议设立矛盾纠纷调解室，固定每周接待日。",
    "学校门口车速快，建议增设减速带。",
    "通报写得清楚，建议以后每半年发一期。",
    "建议把圆桌会决议张贴到各村民小组公告栏。",
    "村里的公共厕所需要每天保洁。",
    "建议组织村民到其他试点村交流学习。",
    "茶园病虫害多，希望请农技站来指导。",
    "建议给返乡创业青年提供场地支持。",
    "山林防火期请加强巡查，禁止野外用火。",
    "建议村务监督委员会定期公布监督情况。",
    "饮水管网改造后水压仍不足，请再检测。",
    "建议在村委会设置意见箱，方便不会上网的老人。",
    "希望圆桌会能邀请法律顾问参加土地纠纷调解。",
]
REPLIES = [
    "感谢建议，已纳入下月圆桌会议题。",
    "已安排专人落实，完成后在公告栏公示。",
    "村两委已研究，将在下期通报中答复具体安排。",
    "该建议已转交镇相关部门，办理结果会及时反馈。",
]

CONSULTATION_SUMMARY = (
    "村里收到关于“{title}”的反映，圆桌会开会前先听听大家的意见：支持、反对或有其他想法都可以留言。"
)
PUBLIC_OPINIONS = [
    ("support", "支持，早点办好。"),
    ("neutral", "先把费用怎么出说清楚。"),
    ("oppose", "不同意占用公共场地，建议换个地方。"),
]


def _cadre(village: Village) -> User | None:
    return (
        User.objects.filter(memberships__village=village, memberships__role=Membership.Role.CADRE)
        .order_by("pk")
        .first()
    )


def seed(township: Township, stdout=None) -> None:
    rng = random.Random(8032)
    villages = {v.code: v for v in Village.objects.filter(township=township, is_pilot=True)}
    for code, date, title, body in BRIEFINGS:
        village = villages.get(code)
        if village is None or Briefing.objects.filter(village=village, title=title).exists():
            continue
        published = timezone.make_aware(datetime.datetime.combine(date, datetime.time(9, 0)))
        briefing = Briefing.objects.create(
            township=township,
            village=village,
            title=title,
            body=body,
            date=date,
            status=Briefing.Status.PUBLISHED,
            published_at=published,
            created_at=published,
            author=_cadre(village),
        )
        year_end = datetime.date(date.year, 12, 31)
        briefing.decisions.set(
            Resolution.objects.filter(
                issue__village=village, adopted=True, created_at__date__lte=year_end
            ).order_by("-created_at")[:3]
        )
        briefing.meetings.set({r.meeting for r in briefing.decisions.select_related("meeting")})
    briefings = list(Briefing.objects.filter(village__in=villages.values()).order_by("date", "pk"))
    codes = sorted(villages)
    for n, text in enumerate(SUGGESTIONS):
        village = villages.get(codes[n % len(codes)]) if codes else None
        if village is None or Suggestion.objects.filter(village=village, text=text).exists():
            continue
        own = [b for b in briefings if b.village_id == village.pk]
        briefing = own[n % len(own)] if own and n % 2 == 0 else None
        created = (
            timezone.make_aware(datetime.datetime.combine(briefing.date, datetime.time(20, 0)))
            + datetime.timedelta(days=rng.randint(1, 20))
            if briefing
            else timezone.now() - datetime.timedelta(days=rng.randint(5, 400))
        )
        status = Suggestion.Status.PENDING if n % 10 == 9 else Suggestion.Status.APPROVED
        reply = REPLIES[n % len(REPLIES)] if status == Suggestion.Status.APPROVED and n % 3 != 2 else ""
        Suggestion.objects.create(
            village=village,
            briefing=briefing,
            text=text,
            name=rng.choice(["", "", "老陈", "村民林某", "返乡青年"]),
            status=status,
            moderated_by=_cadre(village) if status == Suggestion.Status.APPROVED else None,
            moderated_at=created + datetime.timedelta(days=1)
            if status == Suggestion.Status.APPROVED
            else None,
            reply=reply,
            replied_at=created + datetime.timedelta(days=2) if reply else None,
            created_at=created,
        )
    _consultations(villages.values())
    if stdout:
        stdout.write(
            f"  {Briefing.objects.filter(township=township).count()} briefings, "
            f"{Suggestion.objects.filter(village__township=township).count()} suggestions"
        )


def _consultations(villages) -> None:
    """Opens each pilot's step-2 matters for public opinions, with a few visitors' opinions."""
    for village in villages:
        cadre = _cadre(village)
        for issue in Issue.objects.filter(
            village=village, stage=Stage.SOLICITING, consultation_opened_at__isnull=True
        ):
            issue = workflow.issue_open_consultation(
                issue=issue,
                actor=cadre,
                summary=CONSULTATION_SUMMARY.format(title=issue.title),
                closes_on=timezone.localdate() + datetime.timedelta(days=10),
            )
            for k, (stance, text) in enumerate(PUBLIC_OPINIONS):
                opinion = workflow.issue_add_public_opinion(
                    issue=issue, stance=stance, text=text, name="林阿婆" if k == 0 else ""
                )
                if k < 2:
                    Opinion.objects.filter(pk=opinion.pk).update(
                        published_at=timezone.now(), reply="谢谢，已转给圆桌会。" if k == 0 else ""
                    )
