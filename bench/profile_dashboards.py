#!/usr/bin/env python
"""Profile: the three dashboards, their lists and the workspace search rendered in process on the bench data
(read-only), with cProfile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongxin_bench_50k REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/profile_dashboards.py [--runs 30] [--only township] [--top 40] [--no-profile]

Signs in official@, district@ and cadre@bench.test as bench/pages.py does, warms each page (the snapshots
are made on the first request or by the refresh), then times ~30 requests of each through Django's test
Client and prints the median ms/request and, unless --no-profile, the functions where the time goes.
A script, not a test: the figures depend on the machine.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import cache_for_this_database, setup_environment


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", default="")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--lang", default="")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongxin_bench_50k")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DJANGO_HTTPS", "0")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    setup_environment(debug="0")
    import django

    django.setup()
    from django.test import Client

    from accounts.models import User
    from roundtable.models import Issue, Stage
    from villages.models import Township, Village

    cache_for_this_database()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off serves the manifest's names
    township = Township.objects.get(code="bt00")
    village = Village.objects.filter(township=township).order_by("-population", "code").first()
    district = township.district
    tracked = Issue.objects.filter(village=village, stage=Stage.EXECUTING).order_by("-created_at").first()
    mine = Issue.objects.filter(village=village)
    step1 = mine.filter(stage=Stage.RAISED).order_by("-created_at").values_list("pk", flat=True).first()
    step6 = (
        mine.filter(stage=Stage.SUPERVISING).order_by("created_at").values_list("pk", flat=True).first()
        or mine.filter(stage=Stage.CLOSED).values_list("pk", flat=True).first()
    )
    pages = {
        "calibrate": ("", "/bench/calibrate/"),  # bench/pages.py's yardstick: a small template with a form
        "township": ("official@bench.test", f"/work/dashboard/t/{township.code}/"),
        "district": ("district@bench.test", f"/work/dashboard/d/{district.code}/"),
        "village": ("cadre@bench.test", f"/work/dashboard/v/{village.code}/"),
        # The lists and the search beside them (bench/pages.py's names)
        "issues": ("official@bench.test", "/work/dashboard/issues/"),
        "overdue": ("district@bench.test", "/work/dashboard/overdue/"),
        "meetings": ("official@bench.test", "/work/dashboard/meetings/"),
        "search": ("official@bench.test", "/work/search/?q=%E8%B7%AF%E7%81%AF"),
        "dsearch": ("district@bench.test", "/work/search/?q=%E8%B7%AF%E7%81%AF"),
        "cadrelist": ("cadre@bench.test", f"/work/v/{village.code}/issues/"),
        "profile": ("cadre@bench.test", "/accounts/profile/"),
        "tracking": ("", f"/track/{tracked.tracking_code}/"),
        # The staff pages bench/pages.py finds weakest: an issue at step 1 and at step 6, a deep offset page
        "step1": ("cadre@bench.test", f"/work/v/{village.code}/issues/{step1}/"),
        "step6": ("cadre@bench.test", f"/work/v/{village.code}/issues/{step6}/"),
        "workoverdue": ("official@bench.test", "/work/overdue/?page=100"),
    }
    from django.core.cache import cache

    from dashboards import selectors as s

    for frame in s.snapshot_frames():  # as bench/pages.py: this year's snapshots that hold the village
        if frame.period.kind == "year" and village.pk in frame.village_ids:
            frame = s.sorted_frame(frame)
            if cache.get(s.snapshot_key(frame)) is None:
                cache.set(s.snapshot_key(frame), s.dashboard(frame), s.SNAPSHOT_TIMEOUT)
    extra = {"HTTP_HOST": "127.0.0.1"}
    if args.lang:
        extra["HTTP_ACCEPT_LANGUAGE"] = args.lang
    for name, (email, url) in pages.items():
        if args.only and name != args.only:
            continue
        client = Client(**extra)
        if email:
            client.force_login(User.objects.get(email=email))
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
        times, cpu = [], []
        profile = cProfile.Profile()
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            if not args.no_profile:
                profile.enable()
            response = client.get(url)
            if not args.no_profile:
                profile.disable()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        print(
            f"{name:9} {url:32} median {statistics.median(times):6.1f} ms/request "
            f"(min {min(times):.1f}; this process's CPU {statistics.median(cpu):.1f})"
            f"{' profiled' if not args.no_profile else ''}; "
            f"{len(response.content):,} bytes",
            flush=True,
        )
        if not args.no_profile:
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
