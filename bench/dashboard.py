#!/usr/bin/env python
"""Benchmark: the dashboards at district scale on PostgreSQL, in process.

    .venv/bin/python bench/generate.py --issues 1000000     # once (see bench/generate.py)
    .venv/bin/python bench/dashboard.py --issues 1000000    # tongxin_bench; --issues 50000: tongxin_bench_50k
    … --refresh                                             # recompute every snapshot (as beat does)

The data comes from bench/generate.py (a district of 20 townships × 20 villages). Times, in process
through the whole Django stack (middleware, sessions, templates; DEBUG off, the cache on Redis when
REDIS_URL is set, default bench.common.redis_for: db 6 for a million issues, 7 for 50,000), the township dashboard, the district dashboard and
each export, and prints median and p95 server time and query counts, next to the time of the same
aggregate in raw SQL. A script, not a test: numbers depend on the machine (the load average is printed).
"""

# ruff: noqa: S608, E501  (fixed table names only; long benchmark labels)

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import cache_for_this_database, redis_for, setup_environment
from bench.generate import DISTRICT_CODE, database_for

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


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
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--issues", type=int, default=1_000_000, help="which generated database (its size)")
    parser.add_argument("--refresh", action="store_true", help="recompute every snapshot first, timed")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", database_for(args.issues))
    os.environ.setdefault("REDIS_URL", redis_for(args.issues))
    setup_environment()
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    cache_for_this_database()
    settings.DEBUG = False
    if not settings.IS_POSTGRES:
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://…).")
    from villages.models import District

    district = District.objects.get(code=DISTRICT_CODE)
    from django.test import Client

    from accounts.models import User
    from dashboards import selectors as s
    from roundtable.models import Issue
    from villages.models import Village

    official = Client()
    official.force_login(User.objects.get(email="official@bench.test"))
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}", flush=True)
    district_official = Client()
    district_official.force_login(User.objects.get(email="district@bench.test"))
    township = User.objects.get(email="official@bench.test").memberships.get(role="official").township
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
    from django.core.cache import cache

    from dashboards import services

    measured = [
        s.sorted_frame(s.Frame(village_ids=ids, unit=s.UNIT_VILLAGE, period=s.period_of(kind)))
        for kind in ("year", "month")
    ]
    if args.refresh or any(cache.get(s.snapshot_key(f)) is None for f in measured):
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


if __name__ == "__main__":
    main()
