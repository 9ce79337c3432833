#!/usr/bin/env python
"""Benchmark: the workflow's pages with 50,000 issues (2,500 per village) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongxin_bench .venv/bin/python bench/issues.py

Loads the data once (re-runs reuse it), then times each page in process through the whole Django
stack (middleware, sessions, templates) and counts its queries. Prints median and p95 per page.
A script, not a test: numbers depend on the machine.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongxin_bench")

VILLAGES = 20
PER_VILLAGE = 2500
RUNS = int(os.environ.get("BENCH_RUNS", "60"))


def _code(n: int) -> str:
    from roundtable.models import TRACKING_ALPHABET

    digits = ""
    for _ in range(11):
        n, r = divmod(n, len(TRACKING_ALPHABET))
        digits = TRACKING_ALPHABET[r] + digits
    return "B" + digits


def ensure_database():
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def load():
    import datetime
    import random

    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Membership, User
    from roundtable.models import STEPS, Issue, Stage, TimelineEntry
    from villages.models import Township, Village, VillageGroup

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    township, _ = Township.objects.get_or_create(code="bench", defaults={"name": "基准镇"})
    if Issue.objects.filter(village__township=township).count() >= VILLAGES * PER_VILLAGE:
        return township
    print(f"loading {VILLAGES * PER_VILLAGE:,} issues with their timelines …", flush=True)
    rng = random.Random(7)
    now = timezone.now()
    categories = list(Issue.Category.values)
    words = [
        "路灯",
        "水渠",
        "垃圾",
        "宅基地",
        "道路",
        "邻里",
        "灌溉",
        "停车",
        "河道",
        "旅游",
        "花卉",
        "自来水",
    ]
    stages = list(Stage.values)
    for v in range(VILLAGES):
        village, _ = Village.objects.get_or_create(
            code=f"bench{v:02d}",
            defaults={"township": township, "name": f"基准{v:02d}村", "population": 3000, "households": 800},
        )
        groups = [
            VillageGroup.objects.get_or_create(village=village, name=f"第{g + 1}组", defaults={"order": g})[0]
            for g in range(8)
        ]
        if village.issues.exists():
            continue
        issues = []
        for i in range(PER_VILLAGE):
            created = now - datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 400))
            stage = rng.choice(stages)
            issues.append(
                Issue(
                    village=village,
                    group=rng.choice(groups),
                    category=rng.choice(categories),
                    title=f"{rng.choice(words)}问题第{i}号：{rng.choice(words)}需要处理",
                    description="基准测试用的描述文字。" * 5,
                    stage=stage,
                    created_at=created,
                    stage_entered_at=created,
                    stage_due_at=created + datetime.timedelta(days=7),
                    tracking_code=_code(v * PER_VILLAGE + i),
                )
            )
        Issue.objects.bulk_create(issues, batch_size=2000)
        entries = []
        for issue in Issue.objects.filter(village=village).only("pk", "stage", "created_at"):
            entries.append(
                TimelineEntry(
                    issue=issue,
                    kind="created",
                    to_stage="raised",
                    actor_label="群众",
                    note="通过网上提交提出。",
                    created_at=issue.created_at,
                )
            )
            previous = "raised"
            for step in STEPS[1:]:
                if issue.stage == previous:
                    break
                entries.append(
                    TimelineEntry(
                        issue=issue,
                        kind="stage",
                        from_stage=previous,
                        to_stage=step,
                        actor_label="村干部",
                        note="办理记录",
                        created_at=issue.created_at,
                    )
                )
                previous = step
        TimelineEntry.objects.bulk_create(entries, batch_size=5000)
        print(f"  village {v + 1}/{VILLAGES}", flush=True)
    user = User.objects.filter(email="bench-cadre@bench.test").first() or User.objects.create_user(
        email="bench-cadre@bench.test", password="bench-password-123"
    )
    Membership.objects.get_or_create(
        user=user, role=Membership.Role.CADRE, village=Village.objects.get(code="bench00")
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return township


def measure(label, call, runs=RUNS):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        call(0)
    times, queries = [], []
    for i in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = call(i + 1)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 302), (label, response.status_code)
        queries.append(len(ctx.captured_queries))
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"{label:38} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   "
        f"queries {statistics.median(queries):.0f}"
    )
    return statistics.median(times), max(queries)


def main():
    ensure_database()
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    if not settings.IS_POSTGRES:
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://…).")
    load()
    from django.test import Client

    from accounts.models import User
    from roundtable.models import Issue

    cadre = Client()
    cadre.force_login(User.objects.get(email="bench-cadre@bench.test"))
    village = "bench00"
    # A loaded issue deep in the workflow: its page shows the longest timeline.
    issue = Issue.objects.filter(
        village__code=village, stage="supervising", tracking_code__startswith="B"
    ).first()
    group = issue.group_id
    resident = Client()

    def ip(i):
        return f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"

    print(
        f"{Issue.objects.count():,} issues; village {village}: "
        f"{Issue.objects.filter(village__code=village).count():,}"
    )
    measure("issue list, page 1", lambda i: cadre.get(f"/work/v/{village}/issues/"))
    measure(
        "issue list, filtered",
        lambda i: cadre.get(
            f"/work/v/{village}/issues/?stage=soliciting&category=environment&group={group}&q=路灯"
        ),
    )
    measure("issue list, overdue only", lambda i: cadre.get(f"/work/v/{village}/issues/?overdue=on"))
    measure("issue page", lambda i: cadre.get(f"/work/v/{village}/issues/{issue.pk}/"))
    measure("tracking page", lambda i: resident.get(f"/track/{issue.tracking_code}/", REMOTE_ADDR=ip(i)))
    measure(
        "resident submission",
        lambda i: resident.post(
            f"/v/{village}/submit/",
            {
                "title": f"基准提交{i}",
                "description": "村口路灯坏了",
                "category": "public_service",
                "group": "",
                "raiser_name": "",
                "raiser_mobile": "",
                "website": "",
            },
            REMOTE_ADDR=ip(100000 + i),
        ),
        runs=30,
    )


if __name__ == "__main__":
    main()
