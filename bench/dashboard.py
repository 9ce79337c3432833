#!/usr/bin/env python
"""Benchmark: the dashboards at district scale on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongxin_bench_dash .venv/bin/python bench/dashboard.py
    BENCH_DROP=1 …   # drop the database afterwards

Loads (once; re-runs reuse it) a district of 20 townships × 20 villages = 400 villages, 1,000,000 issues
with their timelines (created and every step reached, at realistic intervals over three years), ratings,
50,000 meetings with attendance and agenda outcomes, all through COPY. Then times, in process through the
whole Django stack (middleware, sessions, templates), the township dashboard, the district dashboard and
each export, and prints median and p95 server time and query counts, next to the time of the same
aggregate in raw SQL. A script, not a test: numbers depend on the machine.
"""

# ruff: noqa: S608, E501  (fixed table names only; long benchmark labels)

import datetime
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongxin_bench_dash")

TOWNSHIPS = int(os.environ.get("BENCH_TOWNSHIPS", "20"))
VILLAGES_PER_TOWNSHIP = 20
ISSUES = int(os.environ.get("BENCH_ISSUES", "1000000"))
MEETINGS = int(os.environ.get("BENCH_MEETINGS", "50000"))
MEMBERS = 7
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
YEARS = 3
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
STEPS = ["raised", "soliciting", "deliberating", "decided", "executing", "supervising"]
# Typical days in each step (mean of an exponential spread), and the share that ends early.
STEP_DAYS = [2.0, 5.0, 9.0, 3.0, 20.0, 5.0]
CATEGORIES = [
    "land_dispute",
    "neighbour_dispute",
    "petition",
    "development",
    "environment",
    "party_building",
    "public_service",
    "other",
]


def ensure_database():
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database():
    import psycopg
    from django.db import connections

    connections.close_all()
    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    print(f"dropped {name}")


def _code(n: int) -> str:
    digits = ""
    for _ in range(11):
        n, r = divmod(n, len(ALPHABET))
        digits = ALPHABET[r] + digits
    return "D" + digits


def _ts(moment: datetime.datetime) -> str:
    return moment.isoformat()


def _copy(cursor, table: str, columns: list[str], lines):
    """COPY text lines (tab-separated, already escaped) into a table, in chunks."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(sql) as copy:
        buffer = io.StringIO()
        for n, line in enumerate(lines, start=1):
            buffer.write(line)
            if n % 50000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def load():
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Membership, User
    from roundtable.models import Issue
    from villages.models import District, Township, Village

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    district, _ = District.objects.get_or_create(code="benchd", defaults={"name": "基准区"})
    if Issue.objects.filter(village__township__district=district).count() >= ISSUES:
        return district
    started = time.perf_counter()
    rng = random.Random(2016)
    now = timezone.now()
    villages = []
    for t in range(TOWNSHIPS):
        township, _ = Township.objects.get_or_create(
            code=f"bt{t:02d}", defaults={"name": f"基准{t:02d}镇", "district": district}
        )
        for v in range(VILLAGES_PER_TOWNSHIP):
            village, _ = Village.objects.get_or_create(
                code=f"bt{t:02d}v{v:02d}",
                defaults={"township": township, "name": f"基准{t:02d}镇{v:02d}村", "population": 2500},
            )
            villages.append(village)
    official = User.objects.filter(email="official@bench.test").first() or User.objects.create_user(
        email="official@bench.test", password="bench-password-123"
    )
    Membership.objects.get_or_create(
        user=official, role=Membership.Role.OFFICIAL, township=villages[0].township
    )
    district_official = User.objects.filter(email="district@bench.test").first() or User.objects.create_user(
        email="district@bench.test", password="bench-password-123"
    )
    Membership.objects.get_or_create(
        user=district_official, role=Membership.Role.DISTRICT_OFFICIAL, district=district
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM roundtable_issue")
        first_issue = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM roundtable_roundtable")
        first_rt = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM roundtable_roundtablemember")
        first_member = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM roundtable_meeting")
        first_meeting = cursor.fetchone()[0] + 1
    print(f"loading {ISSUES:,} issues, their timelines and {MEETINGS:,} meetings …", flush=True)
    per_village = ISSUES // len(villages)
    span = YEARS * 365 * 86400
    issue_id = first_issue
    counts = {"issues": 0, "timeline": 0, "ratings": 0}
    django_cursor = connection.cursor()
    cursor = django_cursor.cursor
    for village in villages:
        issues, timeline, ratings = [], [], []
        for _ in range(per_village):
            created = now - datetime.timedelta(seconds=rng.randint(0, span))
            moment = created
            timeline.append(f"{issue_id}\tcreated\t\traised\t\\N\t群众\t办理记录\tt\t{_ts(moment)}\n")
            roll = rng.random()
            end = "closed"
            if roll < 0.10:
                end = "rejected"
            elif roll < 0.15:
                end = "withdrawn"
            elif roll < 0.18:
                end = "merged"
            stage, entered = "raised", moment
            for index, step in enumerate(STEPS):
                moment = moment + datetime.timedelta(days=rng.expovariate(1 / STEP_DAYS[index]))
                if moment >= now:
                    break
                if end in ("rejected", "merged") and index == 0:
                    target = end
                elif end == "withdrawn" and index == 1:
                    target = "withdrawn"
                else:
                    target = STEPS[index + 1] if index + 1 < len(STEPS) else "closed"
                timeline.append(
                    f"{issue_id}\tstage\t{step}\t{target}\t\\N\t村干部\t办理记录\tt\t{_ts(moment)}\n"
                )
                stage, entered = target, moment
                if target in ("rejected", "merged", "withdrawn", "closed"):
                    break
            if stage == "closed" and rng.random() < 0.6:
                score = rng.choice([3, 4, 4, 5, 5, 5, 2])
                ratings.append(f"{issue_id}\t{score}\t\t{_ts(moment)}\n")
            open_stage = stage in STEPS
            due = entered + datetime.timedelta(days=7) if open_stage else None
            escalated = (
                _ts(entered + datetime.timedelta(days=10)) if open_stage and rng.random() < 0.05 else "\\N"
            )
            issues.append(
                f"{issue_id}\t{village.pk}\t事项{issue_id}\t基准测试用的描述文字。\t{rng.choice(CATEGORIES)}\tweb\t\t"
                f"1{rng.randint(3000000000, 9999999999)}\tf\t\t{_code(issue_id)}\t{stage}\t{_ts(entered)}\t"
                f"{_ts(due) if due else chr(92) + 'N'}\t{escalated}\t{_ts(created)}\t{_ts(moment)}\n"
            )
            issue_id += 1
        _copy(cursor, "roundtable_issue", [
            "id", "village_id", "title", "description", "category", "channel", "raiser_name", "raiser_mobile",
            "is_anonymous", "photo", "tracking_code", "stage", "stage_entered_at", "stage_due_at",
            "escalated_at", "created_at", "updated_at",
        ], issues)  # fmt: skip
        _copy(cursor, "roundtable_timelineentry", [
            "issue_id", "kind", "from_stage", "to_stage", "actor_id", "actor_label", "note", "is_public",
            "created_at",
        ], timeline)  # fmt: skip
        _copy(cursor, "roundtable_satisfaction", ["issue_id", "score", "comment", "created_at"], ratings)
        counts["issues"] += len(issues)
        counts["timeline"] += len(timeline)
        counts["ratings"] += len(ratings)
        if village.pk % 40 == 0:
            print(f"  {counts['issues']:,} issues in {time.perf_counter() - started:.0f} s", flush=True)
    rts, members, meetings, attendance, agenda = [], [], [], [], []
    member_id = first_member
    meeting_id = first_meeting
    per_rt = MEETINGS // len(villages)
    for n, village in enumerate(villages):
        rt_id = first_rt + n
        rts.append(f"{rt_id}\t{village.pk}\t{village.name}圆桌会\tt\n")
        seats = []
        for m in range(MEMBERS):
            members.append(f"{member_id}\t{rt_id}\t成员{m}\tparty_member\t{'t' if m < 3 else 'f'}\t\t\tt\n")
            seats.append(member_id)
            member_id += 1
        for _ in range(per_rt):
            starts = now - datetime.timedelta(seconds=rng.randint(0, span))
            state = "cancelled" if rng.random() < 0.08 else "held"
            chair = rng.choice(seats)
            meetings.append(
                f"{meeting_id}\t{rt_id}\t{_ts(starts)}\t村委会\t{chair}\t{state}\t\t"
                f"{_ts(starts) if state == 'held' else chr(92) + 'N'}\t\t{_ts(starts)}\t1\n"
            )
            if state == "held":
                for seat in seats:
                    status = "present" if rng.random() < 0.8 else "absent"
                    attendance.append(f"{meeting_id}\t{seat}\t{status}\n")
                for order in range(2):
                    outcome = rng.choice(["decided", "decided", "deferred", "not_adopted", "discussed"])
                    agenda.append(f"{meeting_id}\t{order}\t议题{order}\t\t{outcome}\n")
            meeting_id += 1
    if True:
        _copy(cursor, "roundtable_roundtable", ["id", "village_id", "name", "is_active"], rts)
        _copy(cursor, "roundtable_roundtablemember", [
            "id", "roundtable_id", "name", "role", "is_party_member", "mobile", "email", "is_active",
        ], members)  # fmt: skip
        _copy(cursor, "roundtable_meeting", [
            "id", "roundtable_id", "starts_at", "place", "chair_id", "state", "minutes", "held_at",
            "cancel_reason", "created_at", "schedule_version",
        ], meetings)  # fmt: skip
        _copy(cursor, "roundtable_attendance", ["meeting_id", "member_id", "status"], attendance)
        _copy(
            cursor,
            "roundtable_agendaitem",
            ["meeting_id", '"order"', "topic", "discussion", "outcome"],
            agenda,
        )
        for table in [
            "roundtable_issue",
            "roundtable_roundtable",
            "roundtable_roundtablemember",
            "roundtable_meeting",
        ]:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    django_cursor.close()
    print(
        f"  loaded in {time.perf_counter() - started:.0f} s: {counts['issues']:,} issues, "
        f"{counts['timeline']:,} timeline entries, {counts['ratings']:,} ratings, {len(meetings):,} meetings, "
        f"{len(attendance):,} attendance rows",
        flush=True,
    )
    return district


def measure(label, call, runs=RUNS):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(1 if runs < 5 else 3):
        response = call()
        if hasattr(response, "streaming_content"):
            for _chunk in response.streaming_content:
                pass
    times, queries = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = call()
            if hasattr(response, "streaming_content"):
                for _chunk in response.streaming_content:
                    pass
            times.append((time.perf_counter() - start) * 1000)
        if hasattr(response, "status_code"):
            assert response.status_code == 200, (label, response.status_code)
        queries.append(len(ctx.captured_queries))
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95 + 0.5) - 1)]
    print(
        f"{label:46} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   queries {max(queries)}",
        flush=True,
    )
    return statistics.median(times), p95


def raw(label, sql, params=(), runs=RUNS):
    from django.db import connection

    def call():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    measure(f"  raw SQL: {label}", call, runs)


def main():
    ensure_database()
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    if not settings.IS_POSTGRES:
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://…).")
    district = load()
    from django.test import Client

    from accounts.models import User
    from dashboards import selectors as s
    from roundtable.models import Issue
    from villages.models import Village

    official = Client()
    official.force_login(User.objects.get(email="official@bench.test"))
    district_official = Client()
    district_official.force_login(User.objects.get(email="district@bench.test"))
    township = Village.objects.filter(township__district=district).order_by("code").first().township
    ids = tuple(Village.objects.filter(township=township).values_list("pk", flat=True))
    all_ids = tuple(Village.objects.filter(township__district=district).values_list("pk", flat=True))
    print(
        f"{Issue.objects.filter(village_id__in=all_ids).count():,} issues in {len(all_ids)} villages; "
        f"township {township.code}: {Issue.objects.filter(village_id__in=ids).count():,} issues"
    )
    period = s.period_of("year")
    t = f"/work/dashboard/t/{township.code}/"
    d = f"/work/dashboard/d/{district.code}/"
    live_year = f"?period=custom&start={period.start}&end={period.end}"
    from dashboards import services

    started = time.perf_counter()
    frames = services.snapshots_refresh()
    print(f"snapshots refresh (beat task): {frames} frames in {time.perf_counter() - started:.1f} s")
    measure("township dashboard (this year, snapshot)", lambda: official.get(t))
    measure("township dashboard (this month, snapshot)", lambda: official.get(t + "?period=month"))
    measure("township dashboard (this year, live)", lambda: official.get(t + live_year), 5)
    sql, params = s._span_sql(s.Frame(village_ids=ids, unit=s.UNIT_VILLAGE, period=period))
    raw("township issue counts by village and stage", (
        "SELECT village_id, stage, COUNT(*) FROM roundtable_issue WHERE village_id = ANY(%s) "
        "AND created_at >= %s AND created_at < %s GROUP BY 1, 2"
    ), [list(ids), period.since, period.until])  # fmt: skip
    raw("township step spans and percentiles", (
        "SELECT unit, stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY days) "
        f"FROM ({sql}) spans GROUP BY 1, 2"
    ), params, runs=5)  # fmt: skip
    measure("district dashboard (this year, snapshot)", lambda: district_official.get(d))
    measure("district dashboard (this month, snapshot)", lambda: district_official.get(d + "?period=month"))
    measure("district dashboard (this year, live)", lambda: district_official.get(d + live_year), 2)
    sql, params = s._span_sql(s.Frame(village_ids=all_ids, unit=s.UNIT_TOWNSHIP, period=period))
    raw("district issue counts by township and stage", (
        "SELECT v.township_id, i.stage, COUNT(*) FROM roundtable_issue i JOIN villages_village v "
        "ON v.id = i.village_id WHERE i.village_id = ANY(%s) AND i.created_at >= %s AND i.created_at < %s "
        "GROUP BY 1, 2"
    ), [list(all_ids), period.since, period.until], runs=5)  # fmt: skip
    raw("district step spans and percentiles", (
        "SELECT unit, stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY days) "
        f"FROM ({sql}) spans GROUP BY 1, 2"
    ), params, runs=2)  # fmt: skip
    from dashboards.exports import DASHBOARD_TABLES

    for table in DASHBOARD_TABLES:
        measure(f"township export {table}.csv", lambda table=table: official.get(f"{t}export/{table}.csv"), 5)
    measure("district export ranking.xlsx", lambda: district_official.get(f"{d}export/ranking.xlsx"), 5)
    n = Issue.objects.filter(village_id__in=ids).count()
    measure(f"issue list export, township, {n:,} issues (CSV)",
            lambda: official.get(f"/work/dashboard/issues/export.csv?township={township.code}"), 5)  # fmt: skip
    raw("the same issues, raw SQL", (
        "SELECT i.id, v.name, i.title, i.stage, i.created_at FROM roundtable_issue i JOIN villages_village v "
        "ON v.id = i.village_id WHERE i.village_id = ANY(%s) ORDER BY i.created_at DESC"
    ), [list(ids)], runs=5)  # fmt: skip
    measure("issue list export, township (XLSX)",
            lambda: official.get(f"/work/dashboard/issues/export.xlsx?township={township.code}"), 2)  # fmt: skip
    measure(
        "overdue list export, township (CSV)", lambda: official.get("/work/dashboard/overdue/export.csv"), 5
    )
    measure(
        "meeting list export, township (CSV)", lambda: official.get("/work/dashboard/meetings/export.csv"), 5
    )
    measure("overdue list page", lambda: official.get("/work/dashboard/overdue/"))
    if os.environ.get("BENCH_DROP"):
        drop_database()


if __name__ == "__main__":
    main()
