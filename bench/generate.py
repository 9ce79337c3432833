#!/usr/bin/env python
"""Benchmark data: a district of townships and villages with years of roundtable work, through COPY.

    .venv/bin/python bench/generate.py --issues 50000                       # into tongxin_bench_50k
    .venv/bin/python bench/generate.py --issues 1000000                     # into tongxin_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/other … --issues 500000 # anywhere
    … --fresh                                                               # drop and make it again

One generator for every bench script (bench/dashboard.py, bench/pages.py). The default layout is the
dashboards' county: 20 townships × 20 villages (400 villages, 洛江区-like), villages of varied size (the
biggest about 4× the smallest), and issues spread over four years, more of them recent. Each issue lives
through the six steps like real ones do: most are closed, some rejected, merged or withdrawn at step 1–3,
open ones are mostly the recent ones and mostly within their step's time limit, a few stall (overdue for
months, some escalated). Each gets its timeline (raised, every move, opinions, progress, rating), 0–4
opinions in step 2, an agenda item and a resolution at a real meeting of its village's roundtable for
step 4, progress reports in step 5 and often a rating. Titles are composed from places, things and
problems residents name (thousands of distinct ones, so trigram similarity means something); about
two thirds of raisers leave a name, half of those a mobile number, encrypted and hashed with the bench's
fixed keys (bench/common.py) as the app does, and erased a year after the matter ended, as retention
does. On disk the matters and their timelines lie in time order, the villages interleaved, as a township's
tables fill. Users (password ``bench-password-123``): ``official@bench.test`` (township official of the first
township), ``district@bench.test`` (district official), ``cadre@bench.test`` (cadre of the first
township's biggest village, which the page bench measures), ``supervisor@bench.test`` (its supervisor).

Re-running is a no-op when the database already holds the asked number of issues. Prints what it made
and how long it took. 1,000,000 issues take a few minutes.
"""

# ruff: noqa: S608  (pseudo-random data on purpose; fixed table names only)

import argparse
import bisect
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import drop_database, ensure_database, setup_environment

PASSWORD = "bench-password-123"  # noqa: S105 (bench accounts only)
YEARS = 4
SEED = 2026
DISTRICT_CODE = "benchd"

TOWNSHIP_NAMES = str.split(
    "罗溪 河市 马甲 双阳 万安 虹山 溪美 霞美 仑苍 湖头 蓬华 金谷 官桥 榜头 盖德 "
    "梧林 英都 丰州 美林 洪濑 康美 东田 码头 眉山 南埔 翔云 石井 水头 安平 东石"
)
VILLAGE_PREFIXES = str.split(
    "新东 洪四 后溪 前坑 上林 下洋 溪口 山边 石龙 林柄 坑头 西山 南坂 北岭 大埔 高田 美岭 桥头 竹林 岭下"
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭"
    "曾肖田董袁潘蔡蒋余于杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文辉玉梅春燕海燕金凤德福水生"

PLACES = [
    "村口", "一组", "二组", "三组", "四组", "五组", "六组", "老街", "新村路", "小学门口", "祠堂边", "溪边",
    "菜市场旁", "村部后面", "东头", "西头", "后山", "大榕树下", "文化广场", "幼儿园门口", "卫生所旁",
    "茶园里", "桥头", "水库下游", "安置小区", "养老院", "工业区", "村道拐弯处", "河堤", "祖厝前",
]  # fmt: skip
THINGS = [
    ("路灯", "public_service"), ("水渠", "development"), ("垃圾桶", "environment"),
    ("自来水管", "public_service"), ("排水沟", "environment"), ("道路", "development"),
    ("便桥", "development"),
    ("停车位", "public_service"), ("健身器材", "public_service"), ("公厕", "environment"),
    ("围墙", "neighbour_dispute"), ("电线", "public_service"), ("化粪池", "environment"),
    ("灌溉渠", "development"), ("宅基地界址", "land_dispute"), ("承包地", "land_dispute"),
    ("林地边界", "land_dispute"), ("养猪场", "environment"), ("广场舞音响", "neighbour_dispute"),
    ("滴水檐", "neighbour_dispute"), ("老人食堂", "party_building"), ("党员活动室", "party_building"),
    ("低保评定", "petition"), ("征地补偿款", "petition"), ("医保缴费", "public_service"),
    ("茶叶销路", "development"), ("乡村旅游项目", "development"), ("河道", "environment"),
    ("监控探头", "public_service"), ("公交站", "public_service"),
]  # fmt: skip
PROBLEMS = [
    "坏了", "不亮", "堵塞", "破损严重", "需要维修", "漏水", "积水严重", "被占用", "有安全隐患",
    "长期无人管理", "噪音扰民", "需要增设", "起了纠纷", "清理不及时", "气味难闻", "划分不清", "迟迟没有落实",
    "费用怎么分摊", "影响通行", "请求协调",
]  # fmt: skip
TAILS = ["", "", "", "", "，请尽快处理", "，群众反映强烈", "（再次反映）", "，希望村里协调", "，已影响生产"]
DESCRIPTIONS = [
    "这个问题已经存在一段时间了，附近的村民都很不方便。",
    "晚上老人和孩子出行有危险，希望尽快解决。",
    "之前跟小组长反映过，还没有答复。",
    "涉及几户人家，大家意见不一，需要村里出面协调。",
    "下雨天情况更严重，请村两委实地看一看。",
    "希望在圆桌会上议一议，定个办法。",
    "费用可以大家一起出一点，关键是要有人牵头。",
]
OPINION_TEXTS = [
    "同意尽快处理，费用由村集体先垫付。",
    "建议先实地查看，再定方案。",
    "涉及的几户要先沟通好，避免新的矛盾。",
    "支持，但要公开预算和施工单位。",
    "不同意占用公共用地。",
    "可以申请镇里的项目资金。",
    "建议由小组长牵头，党员带头出工。",
]
RESOLUTION_TEXTS = [
    "会议决定由村委会牵头维修，十五日内完成，费用从村集体收入列支。",
    "会议决定请相关农户协商划定界址，由村调解委员会见证并存档。",
    "会议决定申请镇级项目资金，并由村监委会监督实施。",
    "会议决定组织党员志愿者清理，并建立长期保洁责任制。",
]
PROGRESS_NOTES = ["已联系施工队，材料进场。", "施工过半。", "主体完工，待验收。", "已处理完毕，请村民监督。"]

STEPS = ["raised", "soliciting", "deliberating", "decided", "executing", "supervising"]
# Each step's time limit in days (township defaults; step 4 has none, step 5's comes from the resolution).
LIMITS = [3, 7, 14, None, 30, 7]
TYPICAL = [2, 5, 10, 4, 20, 5]  # days a step takes when it has no limit to measure against
CHANNELS = ["web"] * 12 + ["phone"] * 3 + ["wechat"] * 2 + ["letter", "member", "member"]


class Copier:
    """COPY rows of a model: the columns the generator gives per row, then every other concrete column
    at its default (so fields added later by migrations need no change here)."""

    def __init__(self, cursor, model, given: list[str]):
        from django.db import connection

        self.cursor, self.given = cursor, given
        self.table = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.rest, self.defaults = [], []
        for attname, field in fields.items():
            if attname in given or field.primary_key:
                continue
            value = None if field.null else field.get_db_prep_save(field.get_default(), connection)
            self.rest.append(field.column)
            self.defaults.append(value)
        self.defaults = tuple(self.defaults)
        self.columns = [fields[a].column for a in given] + self.rest
        self.rows = []
        self.count = 0

    def add(self, *values):
        self.rows.append(values + self.defaults)

    def flush(self):
        if not self.rows:
            return
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with self.cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
            for row in self.rows:
                copy.write_row(row)
        self.count += len(self.rows)
        self.rows = []


def _next_id(cursor, model) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
    return cursor.fetchone()[0]


def _tracking_code(n: int) -> str:
    from roundtable.models import TRACKING_ALPHABET, TRACKING_LENGTH

    digits = ""
    for _ in range(TRACKING_LENGTH - 1):
        n, r = divmod(n, len(TRACKING_ALPHABET))
        digits = TRACKING_ALPHABET[r] + digits
    return "Z" + digits


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _people(villages_by_township):
    from django.contrib.auth.hashers import make_password

    from accounts.models import Membership, User
    from villages.models import District

    district = District.objects.get(code=DISTRICT_CODE)
    first_township = villages_by_township[0][0].township
    biggest = villages_by_township[0][0]
    password = make_password(PASSWORD)

    def user(email, name):
        found = User.objects.filter(email=email).first()
        if found:
            return found
        made = User(email=email, password=password)
        if hasattr(made, "display_name"):
            made.display_name = name
        made.save()
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(
            user=made, email=email, defaults={"verified": True, "primary": True}
        )
        return made

    role = Membership.Role
    seats = [
        (user("official@bench.test", "镇干部"), role.OFFICIAL, {"township": first_township}),
        (user("district@bench.test", "区干部"), role.DISTRICT_OFFICIAL, {"district": district}),
        (user("cadre@bench.test", "村干部"), role.CADRE, {"village": biggest}),
        (user("supervisor@bench.test", "监委会"), role.SUPERVISOR, {"village": biggest}),
    ]
    for account, kind, where in seats:
        Membership.objects.get_or_create(user=account, role=kind, **where)
    return {"official": seats[0][0], "cadre": seats[2][0]}


def _places(rng, townships: int, per_township: int):
    """District, townships, villages (biggest first in each township), groups; returns villages by township
    with each village's weight."""
    from villages.models import District, Township, Village, VillageGroup

    district, _ = District.objects.get_or_create(code=DISTRICT_CODE, defaults={"name": "基准区"})
    result = []
    for t in range(townships):
        name = TOWNSHIP_NAMES[t % len(TOWNSHIP_NAMES)] + ("镇" if t < len(TOWNSHIP_NAMES) else f"{t}镇")
        township, _ = Township.objects.get_or_create(
            code=f"bt{t:02d}", defaults={"name": f"基准{name}", "district": district}
        )
        weights = sorted((rng.uniform(1.0, 4.0) for _ in range(per_township)), reverse=True)
        villages = []
        for v in range(per_township):
            prefix = VILLAGE_PREFIXES[v % len(VILLAGE_PREFIXES)]
            village, made = Village.objects.get_or_create(
                code=f"b{t:02d}v{v:02d}",
                defaults={
                    "township": township,
                    "name": f"{prefix}{'' if v < len(VILLAGE_PREFIXES) else v}村",
                    "population": int(900 * weights[v]),
                    "households": int(260 * weights[v]),
                    "is_pilot": v == 0,
                },
            )
            if made or not village.groups.exists():
                VillageGroup.objects.bulk_create(
                    VillageGroup(village=village, name=f"第{g + 1}村民小组", order=g) for g in range(8)
                )
            village.weight = weights[v]
            village.group_ids = list(village.groups.order_by("order").values_list("pk", flat=True))
            villages.append(village)
        result.append(villages)
    return district, result


def generate(
    issues: int, townships: int = 20, per_township: int = 20, meetings_per_month: float = 2.0
) -> dict:
    """Loads ``issues`` issues (and all that goes with them) unless the district already has them."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    from core import crypto
    from roundtable import consent
    from roundtable.models import (
        AgendaItem,
        Attendance,
        Issue,
        Meeting,
        Opinion,
        ProgressUpdate,
        Resolution,
        Roundtable,
        RoundtableMember,
        Satisfaction,
        TimelineEntry,
    )

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    have = Issue.objects.filter(village__township__district__code=DISTRICT_CODE).count()
    if have >= issues:
        if pending:  # new tables or indexes on loaded data: rebuild what the workflow keeps beside the rows
            after_load()
        print(f"{have:,} bench issues already there: nothing to do", flush=True)
        return {"issues": have}
    if have:
        sys.exit(f"{have:,} bench issues already there, fewer than {issues:,}: rerun with --fresh")
    started = time.perf_counter()
    rng = random.Random(SEED)
    now = timezone.now()
    span = YEARS * 365 * 86400
    _district, by_township = _places(rng, townships, per_township)
    people = _people(by_township)
    villages = [v for vs in by_township for v in vs]
    total_weight = sum(v.weight for v in villages)

    # Mobile numbers: a pool encrypted once (Fernet is slow), each with its keyed hash.
    pool = []
    for _ in range(5000):
        mobile = f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"
        pool.append((crypto.encrypt(mobile), crypto.blind_index(mobile)))
    consent_version = consent.CURRENT

    raw = connection.cursor()
    cursor = raw.cursor
    # Bulk mode: no foreign-key triggers while loading (rows are written in their keys' order anyway),
    # and the secondary indexes of the big tables dropped now and built once at the end.
    cursor.execute("SET session_replication_role = replica")
    cursor.execute("SET synchronous_commit = off")
    bulk_models = (Issue, TimelineEntry, Opinion, Meeting, Attendance, AgendaItem, Resolution, ProgressUpdate)
    bulk_tables = [m._meta.db_table for m in (*bulk_models, Satisfaction)]
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))",
        [bulk_tables],
    )
    dropped = cursor.fetchall()
    for index, _definition in dropped:
        cursor.execute(f'DROP INDEX "{index}"')
    ids = {m: _next_id(cursor, m) for m in (Issue, Roundtable, RoundtableMember, Meeting, AgendaItem)}
    c_issue = Copier(cursor, Issue, [
        "id", "village_id", "group_id", "title", "description", "category", "channel", "raiser_name",
        "raiser_mobile", "raiser_mobile_hash", "is_anonymous", "consent_at", "consent_version",
        "personal_data_erased_at", "tracking_code", "stage", "stage_entered_at", "stage_due_at",
        "escalated_at", "merged_into_id", "created_at", "updated_at",
    ])  # fmt: skip
    c_time = Copier(cursor, TimelineEntry, [
        "issue_id", "kind", "from_stage", "to_stage", "actor_label", "note", "is_public", "created_at",
    ])  # fmt: skip
    c_opinion = Copier(cursor, Opinion, ["issue_id", "party", "source", "stance", "text", "created_at"])
    c_rt = Copier(cursor, Roundtable, ["id", "village_id", "name", "is_active", "liaison_id"])
    c_member = Copier(
        cursor, RoundtableMember, ["id", "roundtable_id", "name", "role", "is_party_member", "is_active"]
    )
    c_meeting = Copier(cursor, Meeting, [
        "id", "roundtable_id", "starts_at", "place", "chair_id", "state", "minutes", "held_at",
        "cancel_reason", "created_at", "schedule_version",
    ])  # fmt: skip
    c_attend = Copier(cursor, Attendance, ["meeting_id", "member_id", "status"])
    c_agenda = Copier(
        cursor, AgendaItem, ["id", "meeting_id", "order", "issue_id", "topic", "discussion", "outcome"]
    )
    c_resolution = Copier(cursor, Resolution, [
        "meeting_id", "issue_id", "agenda_item_id", "text", "votes_for", "votes_against", "votes_abstain",
        "adopted", "due_date", "created_at",
    ])  # fmt: skip
    c_progress = Copier(
        cursor, ProgressUpdate, ["issue_id", "percent", "note", "is_completion", "created_at"]
    )
    c_rating = Copier(cursor, Satisfaction, ["issue_id", "score", "comment", "created_at"])
    copiers = [c_rt, c_member, c_meeting, c_attend, c_issue, c_time, c_opinion, c_agenda, c_resolution]
    copiers += [c_progress, c_rating]

    retention = datetime.timedelta(days=365)
    day = datetime.timedelta(days=1)
    issue_id = ids[Issue]
    print(
        f"generating {issues:,} issues in {len(villages)} villages of {len(by_township)} townships …",
        flush=True,
    )
    made = 0
    for n, village in enumerate(villages):
        share = issues - made if n == len(villages) - 1 else round(issues * village.weight / total_weight)
        made += share
        # The village's roundtable, its members and its meetings (every ~2 weeks over the years).
        rt_id = ids[Roundtable]
        ids[Roundtable] += 1
        c_rt.add(rt_id, village.pk, f"{village.name}党群圆桌会", True, people["official"].pk)
        seats = []
        for m in range(9):
            member_id = ids[RoundtableMember]
            ids[RoundtableMember] += 1
            c_member.add(
                member_id, rt_id, _name(rng), "party_member" if m < 4 else "representative", m < 4, True
            )
            seats.append(member_id)
        count = max(4, int(YEARS * 12 * meetings_per_month * village.weight / 2.5))
        starts = sorted(now - datetime.timedelta(seconds=rng.randint(0, span)) for _ in range(count))
        starts += [now + datetime.timedelta(days=d) for d in (3, 17)]
        meeting_ids, held = [], []
        for moment in starts:
            meeting_id = ids[Meeting]
            ids[Meeting] += 1
            future = moment > now
            state = "scheduled" if future else ("cancelled" if rng.random() < 0.07 else "held")
            c_meeting.add(
                meeting_id, rt_id, moment, "村委会议室", rng.choice(seats), state,
                "会议纪要：与会人员就议题充分讨论，形成决议。" if state == "held" else "",
                moment if state == "held" else None, "人数不足，改期召开" if state == "cancelled" else "",
                moment - 7 * day, 1,
            )  # fmt: skip
            meeting_ids.append(meeting_id)
            held.append(state == "held")
            if state == "held":
                for seat in seats:
                    c_attend.add(meeting_id, seat, "present" if rng.random() < 0.82 else "absent")
        held_starts = [s for s, h in zip(starts, held, strict=True) if h]
        held_ids = [i for i, h in zip(meeting_ids, held, strict=True) if h]
        agenda_orders = {}
        first_in_village = issue_id

        for _ in range(share):
            age = span * rng.random() ** 1.4  # more matters lately
            created = now - datetime.timedelta(seconds=age)
            place, (thing, category), problem = rng.choice(PLACES), rng.choice(THINGS), rng.choice(PROBLEMS)
            title = f"{place}{thing}{problem}{rng.choice(TAILS)}"
            roll = rng.random()
            fate, fate_step = "closed", 6
            if roll < 0.06:
                fate, fate_step = "rejected", 0
            elif roll < 0.09 and issue_id > first_in_village:
                fate, fate_step = "merged", 0
            elif roll < 0.12:
                fate, fate_step = "withdrawn", rng.randint(0, 2)
            elif roll < 0.125:
                fate, fate_step = "stalled", rng.randint(0, 5)
            channel = rng.choice(CHANNELS)
            timeline = [
                (
                    "created",
                    "",
                    "raised",
                    "群众" if channel == "web" else "村干部",
                    "通过网上提交提出。",
                    True,
                    created,
                )
            ]
            moment, stage, entered, due = created, "raised", created, created + LIMITS[0] * day
            opinions, agenda, progress = [], None, []
            for index, step in enumerate(STEPS):
                limit = LIMITS[index]
                stage, entered = step, moment
                if limit is None:
                    due = None
                    took = rng.expovariate(1 / TYPICAL[index]) * day
                else:
                    due = moment + limit * day
                    # Most steps end within their limit; a tenth run over.
                    took = limit * day * (rng.random() ** 1.5) * 1.15
                if fate == "stalled" and index == fate_step:
                    took = datetime.timedelta(days=3650)
                if fate in ("rejected", "merged", "withdrawn") and index == fate_step:
                    took = took / 2
                end = moment + took
                if step == "deliberating" and not (fate != "closed" and index == fate_step):
                    # Step 3 ends with a resolution adopted at a held meeting of the village's roundtable
                    # after the matter came to it (the workflow knows no other way to step 4): the first
                    # such meeting after the deliberation's own time, or none yet (it waits, open).
                    k = bisect.bisect_left(held_starts, end)
                    end = held_starts[k] + datetime.timedelta(hours=2) if k < len(held_starts) else now
                if step == "soliciting":
                    for _k in range(rng.choice((0, 1, 1, 2, 3, 4))):
                        said = moment + (end - moment) * rng.random()
                        if said < now:
                            opinions.append(
                                (rng.choice(("村民", "党员", "小组长", "村民代表")) + _name(rng), said)
                            )
                if end >= now:
                    break
                if fate in ("rejected", "merged", "withdrawn") and index == fate_step:
                    timeline.append(("stage", step, fate, "村干部", "", True, end))
                    stage, entered, due, moment = fate, end, None, end
                    break
                if step == "deliberating":
                    # Decided at the meeting that ended the step (above).
                    k = bisect.bisect_right(held_starts, end) - 1
                    agenda = (held_ids[k], held_starts[k])
                if step == "executing":
                    for p in range(rng.choice((1, 1, 2, 3))):
                        progress.append((moment + (end - moment) * (p + 1) / 4, 25 * (p + 1), False))
                    progress.append((end, 100, True))
                target = STEPS[index + 1] if index + 1 < len(STEPS) else "closed"
                timeline.append(("stage", step, target, "村干部", "", True, end))
                moment = end
                if target == "closed":
                    stage, entered, due = "closed", end, None
            open_stage = stage in STEPS
            escalated = None
            if open_stage and due and due < now and rng.random() < 0.3:
                escalated = due + 2 * day
                timeline.append(("escalation", "", "", "系统", "超期督办", False, escalated))
            # The raiser: anonymous, a name, or a name and a mobile number; erased a year after the end.
            is_anonymous = rng.random() < 0.3
            name, mobile, mobile_hash, consent_at = "", "", "", None
            erased = None
            if not is_anonymous and rng.random() < 0.7:
                name = _name(rng)
                consent_at = created
                if rng.random() < 0.5:
                    mobile, mobile_hash = rng.choice(pool)
                if not open_stage and entered + retention < now:
                    name, mobile, mobile_hash, erased = "", "", "", entered + retention
            i = issue_id
            issue_id += 1
            c_issue.add(
                i, village.pk, rng.choice(village.group_ids), title,
                f"{title}。{rng.choice(DESCRIPTIONS)}{rng.choice(DESCRIPTIONS)}", category, channel,
                name, mobile, mobile_hash, is_anonymous, consent_at, consent_version if consent_at else "",
                erased, _tracking_code(i), stage, entered, due if open_stage else None, escalated,
                rng.randint(first_in_village, i - 1) if stage == "merged" else None, created, moment,
            )  # fmt: skip
            for said_by, said in opinions:
                c_opinion.add(i, said_by, "resident", rng.choice(("support", "support", "oppose", "neutral")),
                              rng.choice(OPINION_TEXTS), said)  # fmt: skip
                timeline.append(("opinion", "", "", said_by, "", False, said))
            if agenda:
                meeting_id, met = agenda
                order = agenda_orders.get(meeting_id, 0)
                agenda_orders[meeting_id] = order + 1
                agenda_id = ids[AgendaItem]
                ids[AgendaItem] += 1
                c_agenda.add(agenda_id, meeting_id, order, i, title[:200], "与会人员充分讨论。", "decided")
                votes_for = rng.randint(5, 9)
                c_resolution.add(
                    meeting_id, i, agenda_id, rng.choice(RESOLUTION_TEXTS), votes_for,
                    rng.randint(0, 9 - votes_for), 0, True, (met + 30 * day).date(), met,
                )  # fmt: skip
            for at, percent, completion in progress:
                c_progress.add(i, percent, rng.choice(PROGRESS_NOTES), completion, at)
                timeline.append(("progress", "", "", "村干部", "", True, at))
            if stage == "closed" and rng.random() < 0.55:
                rated = moment + rng.random() * 5 * day
                if rated < now:
                    c_rating.add(i, rng.choice((5, 5, 5, 4, 4, 4, 3, 2, 1)), "", rated)
                    timeline.append(("rating", "", "", "群众", "", True, rated))
            for entry in timeline:
                c_time.add(i, *entry)
        for copier in copiers:  # in the order of their foreign keys
            copier.flush()
        if n % 40 == 39 or n == len(villages) - 1:
            print(f"  {made:,} issues in {time.perf_counter() - started:.0f} s", flush=True)
    for copier in copiers:
        copier.flush()
    for model in (Issue, Roundtable, RoundtableMember, Meeting, AgendaItem):
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM \"{table}\"))"
        )
    index_started = time.perf_counter()
    cursor.execute("SET maintenance_work_mem = '512MB'")
    # On disk in the order a township's tables fill, by time with the villages interleaved: each village's
    # matters and their timelines were written together above, which put a village's rows side by side and
    # made every read of one village cheaper than on a real table (and steered the planner).
    for model in (Issue, TimelineEntry):
        table = model._meta.db_table
        cursor.execute(f'CREATE INDEX bench_time_order ON "{table}" (created_at)')
        cursor.execute(f'CLUSTER "{table}" USING bench_time_order')
        cursor.execute("DROP INDEX bench_time_order")
    ordered = time.perf_counter() - index_started
    print(f"  matters and timelines put in time order in {ordered:.0f} s", flush=True)
    index_started = time.perf_counter()
    for _index, definition in dropped:
        cursor.execute(definition)
    cursor.execute("SET session_replication_role = DEFAULT")
    print(f"  {len(dropped)} indexes built in {time.perf_counter() - index_started:.0f} s", flush=True)
    raw.close()
    after_load()
    counts = {copier.table: copier.count for copier in copiers}
    print(
        f"made in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{table.split('_', 1)[1]} {n:,}" for table, n in counts.items()),
        flush=True,
    )
    return counts


# Commands that rebuild what the workflow keeps beside the rows (summary tables…): run when they exist.
REBUILD_COMMANDS = ("rebuild_tallies",)


def after_load() -> None:
    from django.core.management import call_command, get_commands
    from django.db import connection

    known = get_commands()
    for name in REBUILD_COMMANDS:
        if name in known:
            started = time.perf_counter()
            call_command(name)
            print(f"  {name} in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def database_for(issues: int) -> str:
    """The default database of a size: tongxin_bench for a million, tongxin_bench_<n>k for others."""
    base = "postgres://postgres@127.0.0.1:5432/tongxin_bench"
    return base if issues >= 1_000_000 else f"{base}_{issues // 1000}k"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--issues", type=int, default=1_000_000)
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--villages", type=int, default=20, help="villages per township (17 or more)")
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", database_for(args.issues))
    setup_environment()
    if args.fresh:
        drop_database()
    ensure_database()
    import django

    django.setup()
    generate(args.issues, args.townships, args.villages)


if __name__ == "__main__":
    main()
