#!/usr/bin/env python
"""Benchmark: the full stack through nginx, with one and with two gunicorn web nodes.

    .venv/bin/python bench/stack.py            # BENCH_SECONDS=20 BENCH_CLIENTS=8 by default

Starts its own PostgreSQL cluster, Redis, gunicorn node(s) (deploy/gunicorn.conf.py, 2 x cores + 1
workers each) and Debian's nginx with deploy/nginx/tongxin-http.conf on spare loopback ports, loads the
demo, then runs BENCH_CLIENTS concurrent clients for BENCH_SECONDS against each setup. Each client is
a resident (open the form, submit a matter, track it; each resident from an address of their own, sent
as X-Forwarded-For so that the per-address rate limits count residents, not the benchmark) and, every
fourth request, a cadre opening the village's issue list. Prints requests per second and the p95 time
per page. Everything runs on this one machine, clients included: numbers depend on it (see README,
"Capacity").
"""

import os
import random
import re
import shutil
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.stack.services import (  # noqa: E402
    Browser,
    GunicornNode,
    Nginx,
    PgCluster,
    Stack,
    app_env,
    make_temp,
    manage,
    redis_server,
)

TRACKING = re.compile(r"\b([A-Z2-9]{12})\b")
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
FIELDS = {
    "title": "村道有坑",
    "description": "下雨天积水，电动车容易摔",
    "category": "public_service",
    "group": "",
    "raiser_name": "",
    "raiser_mobile": "",
    "website": "",
}


class Resident(Browser):
    def __init__(self, base_url):
        super().__init__(base_url)
        self.address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"

    def request(self, method, path, *, data=None, headers=None):
        return super().request(
            method, path, data=data, headers={**(headers or {}), "X-Forwarded-For": self.address}
        )


def timed(call, *args):
    start = time.perf_counter()
    response = call(*args)
    return response, time.perf_counter() - start


def client_loop(url, cadre_cookies, deadline, timings, errors, lock):
    cadre = Browser(url)
    for cookie in cadre_cookies:
        cadre.jar.set_cookie(cookie)
    n = 0
    local = defaultdict(list)
    local_errors = []
    while time.monotonic() < deadline:
        resident = Resident(url)
        form, dt = timed(resident.get, "/v/xindong/submit/")
        local["resident form GET"].append(dt)
        fields = {"csrfmiddlewaretoken": resident.csrf(form.text), **FIELDS}
        sent, dt = timed(resident.post, "/v/xindong/submit/", fields)
        local["resident form POST"].append(dt)
        done, dt = timed(resident.get, "/submit/done/")
        local["submitted page"].append(dt)
        match = TRACKING.search(done.text)
        responses = [("resident form GET", form), ("resident form POST", sent), ("submitted page", done)]
        if match:
            tracked, dt = timed(resident.get, f"/track/{match.group(1)}/")
            local["tracking page"].append(dt)
            responses.append(("tracking page", tracked))
        n += 1
        if n % 4 == 0:
            listing, dt = timed(cadre.get, "/work/v/xindong/issues/")
            local["cadre's issue list"].append(dt)
            responses.append(("cadre's issue list", listing))
        for name, response in responses:
            if response.status >= 400 or (name == "resident form POST" and response.status != 302):
                local_errors.append((name, response.status))
    with lock:
        for name, values in local.items():
            timings[name].extend(values)
        errors.extend(local_errors)


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def measure(url, cadre_cookies):
    timings, errors, lock = defaultdict(list), [], threading.Lock()
    deadline = time.monotonic() + SECONDS
    threads = [
        threading.Thread(target=client_loop, args=(url, cadre_cookies, deadline, timings, errors, lock))
        for _ in range(CLIENTS)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return timings, errors, elapsed


def main():
    base = make_temp("tongxin-bench-")
    stack = Stack(base)
    try:
        primary = stack.add(PgCluster(base, "primary").init().start())
        primary.createdb("bench")
        redis, redis_port = redis_server(base)
        stack.add(redis)
        env = app_env(
            DATABASE_URL=primary.url("bench"),
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            DJANGO_MEDIA_ROOT=base / "media",
            DJANGO_STATIC_ROOT=base / "static",
            DJANGO_HEALTHZ_BEAT_MAX_SILENCE=0,
        )
        for args in (
            ["migrate", "--noinput", "-v", "0"],
            ["createcachetable"],
            ["seed_demo"],
            ["collectstatic", "--noinput", "-v", "0"],
        ):
            manage(env, *args)
        nodes = [
            stack.add(GunicornNode(base, env, name=f"n{i}", workers=(os.cpu_count() or 1) * 2 + 1))
            for i in range(2)
        ]
        print(
            f"{os.cpu_count()} cores; {CLIENTS} concurrent clients for {SECONDS:.0f} s per setup; "
            f"{nodes[0].worker_pids().__len__()} gunicorn workers per node\n"
        )
        rows = []
        for count in (1, 2):
            nginx = Nginx(base, upstreams=[f"127.0.0.1:{n.port}" for n in nodes[:count]], static_parent=base)
            try:
                cadre = Browser(nginx.url)
                page = cadre.get("/accounts/login/")
                cadre.post(
                    "/accounts/login/",
                    {
                        "csrfmiddlewaretoken": cadre.csrf(page.text),
                        "login": "cadre@xindong.demo",
                        "password": "tongxin-demo-2026",
                    },
                )
                timings, errors, elapsed = measure(nginx.url, list(cadre.jar))
            finally:
                nginx.stop()
            total = sum(len(v) for v in timings.values())
            rows.append((count, total, elapsed, timings, errors))
        for count, total, elapsed, timings, errors in rows:
            print(
                f"== {count} web node{'s' if count > 1 else ''}: {total} requests in {elapsed:.1f} s = "
                f"{total / elapsed:.0f} req/s, {len(errors)} errors"
            )
            for name, values in timings.items():
                print(
                    f"   {name:22} {len(values):6d}  p95 {p95(values) * 1000:7.0f} ms  "
                    f"median {statistics.median(values) * 1000:6.0f} ms"
                )
            if errors:
                print("   errors:", sorted(set(errors))[:5])
    finally:
        stack.close()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
