#!/usr/bin/env python
"""Benchmark: the portal's pages measured from outside, through gunicorn, beside a calibration page.

    .venv/bin/python bench/generate.py --issues 50000      # once per size (see bench/generate.py)
    .venv/bin/python bench/pages.py --issues 50000         # tongxin_bench_50k
    .venv/bin/python bench/pages.py --issues 1000000       # tongxin_bench
    … --rounds 20 --load-rounds 3 --concurrency 8 --port 8766

Starts gunicorn (deploy/gunicorn.conf.py, 4 sync workers, DEBUG off, PostgreSQL, Redis for the cache and
the rate limits: REDIS_URL, by default db 6 for a million issues and 7 for 50,000, bench.common.redis_for)
with the bench settings (bench/settings.py: the portal's settings plus a calibration page, a minimal Django
view rendering a small template with a form, and an X-Bench-Queries header counting each request's
queries). Signs in the generator's official, district official and cadre (sessions written directly, no
login form), then:

* one client: ``--rounds`` rounds, each requesting every page once in a new random order, and prints the
  median and p95 of the time to the full response, and the queries per request;
* ``--concurrency`` clients: ``--load-rounds`` rounds, each giving every page in a new random order a
  burst of requests from all clients at once, and prints requests per second and its ratio to the
  calibration page's, and the p95 under load.

Every request comes from a new client address (X-Forwarded-For through the trusted proxy 127.0.0.1), so
the per-address rate limits never trip; the tracking page takes the codes of many of the village's open
matters in turn, so no code's own look-up limit trips either (tracking_codes), and the script can be rerun
at once. Only 200 answers count in the figures: a page that answered anything else is flagged in its
status column and the script exits with status 1. Takes a few minutes (4 on this shared machine).
"""

import argparse
import collections
import concurrent.futures
import http.client
import itertools
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, cache_for_this_database, redis_for, setup_environment
from bench.generate import DISTRICT_CODE, database_for

_address = itertools.count(1)
_address_lock = threading.Lock()


def client_address() -> str:
    with _address_lock:
        n = next(_address) + random.randint(0, 1 << 20)
    return f"10.{(n >> 16) % 256}.{(n >> 8) % 256}.{n % 256}"


def request(port: int, path: str, cookie: str = "") -> tuple[float, int, int, int]:
    """(milliseconds to the whole body, status, queries, body bytes) of one GET."""
    headers = {"Host": "127.0.0.1", "X-Forwarded-For": client_address(), "Accept-Language": "zh-Hans"}
    if cookie:
        headers["Cookie"] = cookie
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    queries = int(response.getheader("X-Bench-Queries") or -1)
    conn.close()
    return elapsed, response.status, queries, len(body)


def pages(ids: dict) -> list[tuple[str, str | list[str], str]]:
    """(label, path, who) of every page measured; who is a key of the sessions or "" for anonymous. A list
    of paths is taken in turn, one request after the other (see ``Paths``)."""
    v, t = ids["village"], ids["township"]
    return [
        ("calibration (minimal Django page with a form)", "/bench/calibrate/", ""),
        ("township home /", "/", ""),
        (f"public village page /v/{v}/", f"/v/{v}/", ""),
        ("resident form (GET)", f"/v/{v}/submit/", ""),
        ("tracking page", [f"/track/{code}/" for code in ids["tracking"]], ""),
        ("cadre /work/", "/work/", "cadre"),
        ("cadre issue list", f"/work/v/{v}/issues/", "cadre"),
        ("cadre issue list ?q=路灯", f"/work/v/{v}/issues/?q=%E8%B7%AF%E7%81%AF", "cadre"),
        ("issue page at step 1 (similar matters)", f"/work/v/{v}/issues/{ids['step1']}/", "cadre"),
        ("issue page at step 6 (long timeline)", f"/work/v/{v}/issues/{ids['step6']}/", "cadre"),
        ("official /work/", "/work/", "official"),
        ("official /work/overdue/", "/work/overdue/", "official"),
        ("official /work/overdue/?page=100", "/work/overdue/?page=100", "official"),
        *(
            [
                (
                    f"official /work/overdue/ keyset page {ids['deep']}",
                    f"/work/overdue/?after={ids['after']}",
                    "official",
                )
            ]
            if ids.get("after")
            else []
        ),
        ("official search ?q=路灯", "/work/search/?q=%E8%B7%AF%E7%81%AF", "official"),
        ("district search ?q=路灯", "/work/search/?q=%E8%B7%AF%E7%81%AF", "district"),
        ("official dashboard issue list", "/work/dashboard/issues/", "official"),
        ("district dashboard overdue list", "/work/dashboard/overdue/", "district"),
        ("official dashboard meeting list", "/work/dashboard/meetings/", "official"),
        ("township dashboard (this year)", f"/work/dashboard/t/{t}/", "official"),
        ("village dashboard (cadre, this year)", f"/work/dashboard/v/{v}/", "cadre"),
        ("district dashboard (this year)", f"/work/dashboard/d/{DISTRICT_CODE}/", "district"),
    ]


def prepare(tracking_requests: int) -> tuple[dict, dict]:
    """Finds what the pages show and signs the users in; makes the dashboards' snapshots if missing.
    ``tracking_requests``: how many requests the run makes to the tracking page (see tracking_codes)."""
    import django

    django.setup()
    cache_for_this_database()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.cache import cache
    from django.utils.module_loading import import_string

    from accounts.models import User
    from dashboards import selectors as s
    from roundtable.models import Issue
    from villages.models import Township, Village

    township = Township.objects.get(code="bt00")
    village = Village.objects.filter(township=township).order_by("-population", "code").first()
    issues = Issue.objects.filter(village=village)
    ids = {
        "township": township.code,
        "village": village.code,
        "village_issues": issues.count(),
        "all_issues": Issue.objects.count(),
        "step1": issues.filter(stage="raised").order_by("-created_at").values_list("pk", flat=True).first(),
        "step6": issues.filter(stage="supervising")
        .order_by("created_at")
        .values_list("pk", flat=True)
        .first()
        or issues.filter(stage="closed").values_list("pk", flat=True).first(),
    }
    ids["tracking"] = tracking_codes(village, tracking_requests)
    ids.update(_deep_overdue_page(township))
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    sessions = {}
    for who, email in (
        ("cadre", "cadre@bench.test"),
        ("official", "official@bench.test"),
        ("district", "district@bench.test"),
    ):
        user = User.objects.get(email=email)
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions[who] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    sessions[""] = ""
    # Beat keeps the default views' snapshots (every 15 minutes); compute the ones measured if absent.
    # Only the year frames holding the measured village: the township's and the district's (the pages
    # measured are "this year"); each one's time is printed when it had to be computed.
    for frame in s.snapshot_frames():
        if frame.period.kind == "year" and village.pk in frame.village_ids:
            frame = s.sorted_frame(frame)
            if cache.get(s.snapshot_key(frame)) is None:
                started = time.perf_counter()
                cache.set(s.snapshot_key(frame), s.dashboard(frame), s.SNAPSHOT_TIMEOUT)
                print(
                    f"dashboard snapshot computed: {frame.unit} of {len(frame.village_ids)} villages, "
                    f"{frame.period.kind}, in {time.perf_counter() - started:.1f} s",
                    flush=True,
                )
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off serves the manifest's names
    from django.db import connections

    connections.close_all()
    return ids, sessions


def tracking_codes(village, requests: int) -> list[str]:
    """Tracking codes of the village's open matters, taken from every open step in turn, enough that no
    code meets its own look-up limit (settings.RATE_LIMITS["lookup_code"]) in a run of ``requests``
    requests to the tracking page taken in turn: each code gets at most half its limit, so a run started
    at once after another, in the same window, stays under it too."""
    from django.conf import settings
    from django_ratelimit.core import _split_rate

    from roundtable.models import OPEN_STAGE_LIST, Issue

    allowed, _period = _split_rate(settings.RATE_LIMITS["lookup_code"])
    needed = -(-requests // max(1, allowed // 2))
    by_stage = {
        stage: list(
            Issue.objects.filter(village=village, stage=stage)
            .order_by("-created_at", "pk")
            .values_list("tracking_code", flat=True)[: max(needed, 24)]
        )
        for stage in OPEN_STAGE_LIST
    }
    codes = [code for row in itertools.zip_longest(*by_stage.values()) for code in row if code]
    codes = codes[: max(needed, 24)]
    if len(codes) < needed:
        sys.exit(
            f"village {village.code} has {len(codes)} open matters; {requests} requests to the tracking "
            f"page at a limit of {allowed} per code need {needed}: measure fewer rounds"
        )
    return codes


def _deep_overdue_page(township) -> dict:
    """The cursor of a deep keyset page of the official's overdue list (page 100, or the last one), when
    the list pages by keyset (roundtable.selectors.overdue_cursor)."""
    from roundtable import selectors
    from villages.models import Village

    if not hasattr(selectors, "overdue_cursor"):
        return {}
    size = getattr(selectors, "OVERDUE_PAGE_SIZE", 50)
    issues = selectors.overdue_issues(villages=Village.objects.filter(township=township))
    count = issues.count()
    page = min(100, max(2, (count + size - 1) // size))
    before = list(issues[(page - 1) * size - 1 : (page - 1) * size]) if count > size else []
    return {"after": selectors.overdue_cursor(before[0]), "deep": page} if before else {}


def start_server(port: int, workers: int) -> subprocess.Popen:
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_ACCESSLOG": "/dev/null",
        "GUNICORN_PROC_NAME": f"tongxin-bench-{port}",
        "GUNICORN_PIDFILE": "",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "test-artifacts" / f"bench-pages-{port}.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if request(port, "/bench/calibrate/")[1] == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.3)
    stop_server(server)
    sys.exit(f"gunicorn did not start: see test-artifacts/bench-pages-{port}.log")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--issues", type=int, default=1_000_000, help="which generated database (its size)")
    parser.add_argument("--rounds", type=int, default=20, help="rounds of one request per page, one client")
    parser.add_argument("--load-rounds", type=int, default=3, help="rounds of bursts under load")
    parser.add_argument("--burst", type=int, default=6, help="requests per client per page in a burst")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--only", default="", help="measure only pages whose label contains this")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", database_for(args.issues))
    os.environ.setdefault("REDIS_URL", redis_for(args.issues))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("DJANGO_HTTPS", "0")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    setup_environment(debug="0")
    ids, sessions = prepare(
        tracking_requests=args.workers * 2 + args.rounds + args.load_rounds * args.concurrency * args.burst
    )
    measured = [p for p in pages(ids) if not args.only or args.only in p[0] or p[1] == "/bench/calibrate/"]
    load = os.getloadavg()
    print(
        f"{ids['all_issues']:,} issues; village {ids['village']}: {ids['village_issues']:,}; "
        f"{args.workers} gunicorn sync workers; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
        flush=True,
    )
    server = start_server(args.port, args.workers)
    try:
        results = run(args, measured, sessions)
    finally:
        stop_server(server)
    if not report(args, measured, results):
        sys.exit(1)


def run(args, measured, sessions) -> dict:
    results = {
        label: {"times": [], "queries": set(), "status": collections.Counter(), "load": [], "rps": []}
        for label, *_ in measured
    }
    turns = {label: Turns(path) for label, path, _who in measured}
    for label, _path, who in measured:  # warm every worker's caches and connections
        for _ in range(args.workers * 2):
            _ms, status, _q, _n = request(args.port, turns[label].next(), sessions[who])
        if status != 200:
            print(f"  warning: {label} answers {status}", flush=True)
    order = list(measured)
    for _ in range(args.rounds):
        random.shuffle(order)
        for label, _path, who in order:
            ms, status, queries, _n = request(args.port, turns[label].next(), sessions[who])
            results[label]["status"][status] += 1
            if status == 200:  # a refusal (429) or an error is cheap: it would flatter the figures
                results[label]["times"].append(ms)
                results[label]["queries"].add(queries)
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        for _ in range(args.load_rounds):
            random.shuffle(order)
            for label, _path, who in order:

                def client(label=label, who=who):
                    return [request(args.port, turns[label].next(), sessions[who]) for _ in range(args.burst)]

                start = time.perf_counter()
                done = list(pool.map(lambda _: client(), range(args.concurrency)))
                wall = time.perf_counter() - start
                answers = [a for batch in done for a in batch]
                ok = [a for a in answers if a[1] == 200]
                results[label]["rps"].append(len(ok) / wall)
                results[label]["load"] += [a[0] for a in ok]
                results[label]["status"].update(a[1] for a in answers)
    return results


class Turns:
    """A page's path, or its paths taken in turn by every client thread (one after the other)."""

    def __init__(self, path: str | list[str]):
        self.paths = itertools.cycle([path] if isinstance(path, str) else path)
        self.lock = threading.Lock()

    def next(self) -> str:
        with self.lock:
            return next(self.paths)


def report(args, measured, results) -> bool:
    """Prints the table; False when some page answered anything but 200 (its figures count only the 200s,
    and its status column says how many answers were not)."""
    calibration = statistics.median(results[measured[0][0]]["rps"]) if args.load_rounds else 0
    load = os.getloadavg()
    width = max(len(label) for label, *_ in measured)
    print(f"\nload average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(
        f"| {'page':{width}} | 1 client p50 | p95 | queries | {args.concurrency} clients req/s | "
        "ratio to calibration | p95 under load | status |"
    )
    print(f"| {'-' * width} | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    flagged = []
    for label, *_ in measured:
        r = results[label]
        rps = statistics.median(r["rps"]) if r["rps"] else 0
        queries = "/".join(str(q) for q in sorted(r["queries"]))
        times = r["times"] or [0]
        if set(r["status"]) == {200}:
            status = "200"
        else:
            flagged.append(label)
            total = sum(r["status"].values())
            status = (
                "NOT ALL 200: "
                + ", ".join(f"{s} ×{n}" for s, n in sorted(r["status"].items()) if s != 200)
                + f" of {total}"
            )
        print(
            f"| {label:{width}} | {statistics.median(times):.0f} ms | {p95(times):.0f} ms | "
            f"{queries} | "
            f"{rps:.0f} | {rps / calibration if calibration else 0:.2f} | "
            f"{p95(r['load']) if r['load'] else 0:.0f} ms | {status} |",
            flush=True,
        )
    if flagged:
        print(
            "\nNOT MEASURED AS CLAIMED: " + "; ".join(flagged) + " answered other than 200 (times and req/s "
            "above count only the 200s).",
            flush=True,
        )
    return not flagged


if __name__ == "__main__":
    main()
