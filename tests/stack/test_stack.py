"""The portal as a township or county runs it, with the real programs (``make test-stack``): two gunicorn
nodes behind Debian's nginx on one PostgreSQL and Redis, a streaming read replica, backup and restore,
/healthz when beat falls silent, and an upgrade under load. Each test stops what it started."""

import json
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.stack.services import (
    BIN,
    DEPLOY,
    ROOT,
    Browser,
    GunicornNode,
    Nginx,
    PgCluster,
    Process,
    jpeg_bytes,
    manage,
    redis_server,
    run,
    wait_for,
)

pytestmark = pytest.mark.stack

PASSWORD = "tongxin-demo-2026"
CADRE = "cadre@xindong.demo"
OFFICIAL = "official@luoxi.demo"


def two_nodes_behind_nginx(stack, site, **env):
    redis, redis_port = redis_server(stack.base)
    stack.add(redis)
    env = {**site["env"], "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", **env}
    a = stack.add(GunicornNode(stack.base, env, name="a"))
    b = stack.add(GunicornNode(stack.base, env, name="b"))
    nginx = stack.add(
        Nginx(stack.base, upstreams=[f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"], static_parent=stack.base)
    )
    names = {f"127.0.0.1:{a.port}": "a", f"127.0.0.1:{b.port}": "b"}
    return nginx, a, b, names, redis_port, env


def landing_on(browser, names, node):
    """Makes the browser's next request land on ``node`` (nginx takes the nodes in turn)."""
    for _ in range(4):
        if names[browser.get("/healthz").upstream] != node:
            return
    raise AssertionError("nginx does not alternate between the nodes")


def sign_in(browser, names, node, email):
    page = browser.get("/accounts/login/")
    token = browser.csrf(page.text)
    landing_on(browser, names, node)
    response = browser.post(
        "/accounts/login/", {"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}
    )
    assert response.status == 302, response.text[:500]
    assert names[response.upstream] == node
    return response


def test_two_nodes_share_sessions_uploads_rate_limits_and_metrics(stack, site, primary):
    nginx, _a, _b, names, redis_port, _env = two_nodes_behind_nginx(stack, site)
    db = site["db"]

    # A resident submits a photo through node a ...
    resident = Browser(nginx.url)
    token = resident.csrf(resident.get("/v/xindong/submit/").text)
    photo = jpeg_bytes()
    landing_on(resident, names, "a")
    fields = {
        "csrfmiddlewaretoken": token,
        "title": "村口路灯坏了",
        "description": "两个月没亮，晚上看不见路",
        "category": "public_service",
        "group": "",
        "raiser_name": "",
        "raiser_mobile": "",
        "website": "",
    }
    sent = resident.post("/v/xindong/submit/", fields, files={"photo": ("lamp.jpg", photo, "image/jpeg")})
    assert sent.status == 302, sent.text[:500]
    assert names[sent.upstream] == "a"
    pk, code, photo_name = primary.sql(
        db, "SELECT id || '|' || tracking_code || '|' || photo FROM roundtable_issue ORDER BY id DESC LIMIT 1"
    ).split("|")
    assert photo_name and (site["media"] / photo_name).is_file()

    # ... and node b shows the tracking code kept in the session, and tracks the matter.
    landing_on(resident, names, "b")
    done = resident.get("/submit/done/")
    assert (names[done.upstream], done.status) == ("b", 200)
    assert code in done.text
    landing_on(resident, names, "b")
    tracked = resident.get(f"/track/{code}/")
    assert (names[tracked.upstream], tracked.status) == ("b", 200)
    assert "村口路灯坏了" in tracked.text

    # nginx serves the hashed static files itself, compressed and cached for a year.
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', tracked.text).group(1)
    static = resident.request("GET", css, headers={"Accept-Encoding": "gzip"})
    assert static.status == 200
    assert (
        "immutable" in static.headers["cache-control"]
        and "max-age=31536000" in static.headers["cache-control"]
    )
    assert static.headers.get("content-encoding") == "gzip"
    assert "x-request-id" not in static.headers  # not a request to the portal

    # A cadre signs in on node a and acts on node b, where the photo uploaded on a is served too.
    cadre = Browser(nginx.url)
    sign_in(cadre, names, "a", CADRE)
    landing_on(cadre, names, "b")
    issue_page = cadre.get(f"/work/v/xindong/issues/{pk}/")
    assert (names[issue_page.upstream], issue_page.status) == ("b", 200)
    landing_on(cadre, names, "b")
    served = cadre.get(f"/work/v/xindong/issues/{pk}/photo/")
    assert (names[served.upstream], served.status) == ("b", 200)
    assert served.body == (site["media"] / photo_name).read_bytes()
    assert served.body[:3] == b"\xff\xd8\xff"
    landing_on(cadre, names, "b")
    acted = cadre.post(
        f"/work/v/xindong/issues/{pk}/act/accept/",
        {"csrfmiddlewaretoken": cadre.csrf(issue_page.text), "accept-note": "已受理"},
    )
    assert (names[acted.upstream], acted.status) == ("b", 302)
    stage = primary.sql(db, f"SELECT stage FROM roundtable_issue WHERE id = {int(pk)}")  # noqa: S608
    assert stage == "soliciting"

    # A rate limit counts across both nodes: ten wrong codes in ten minutes, wherever they land.
    guesser = Browser(nginx.url)
    served_by = set()
    for _ in range(10):
        miss = guesser.get("/track/ZZZZZZZZZZZZ/")
        assert miss.status == 404
        served_by.add(names[miss.upstream])
    assert served_by == {"a", "b"}
    blocked = [guesser.get("/track/ZZZZZZZZZZZZ/") for _ in range(2)]
    assert [r.status for r in blocked] == [429, 429]
    assert {names[r.upstream] for r in blocked} == {"a", "b"}
    # django-ratelimit's counters (rl: and a hash of group, window and key) are in the shared Redis.
    keys = run(["redis-cli", "-p", str(redis_port), "--scan", "--pattern", "*:rl:*"]).stdout.split()
    assert keys
    # Sessions live in Redis too (written through to the database).
    assert run(["redis-cli", "-p", str(redis_port), "--scan", "--pattern", "*session*"]).stdout.strip()

    # Prometheus: each node counts its own requests, summed over its gunicorn workers.
    browser = Browser(nginx.url)
    pattern = re.compile(r'tongxin_http_requests_total\{method="GET",status="200",view="healthz"\} ([0-9.]+)')

    def scrape_both():
        counts = {}
        for _ in range(2):
            scraped = browser.get("/metrics")
            assert scraped.status == 200
            assert "tongxin_outbox_due" in scraped.text
            counts[names[scraped.upstream]] = float(pattern.search(scraped.text).group(1))
        return counts

    before = scrape_both()
    for _ in range(6):
        assert browser.get("/healthz").status == 200
    after = scrape_both()
    assert {node: after[node] - before[node] for node in ("a", "b")} == {"a": 3.0, "b": 3.0}
    # A client that is not on the allowed list gets a 404, whatever it claims in X-Forwarded-For.
    outsider = browser.request("GET", "/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert outsider.status == 404


def _log_since(cluster: PgCluster, offset: int, db: str) -> str:
    text = cluster.log.read_text(errors="replace")[offset:]
    return "\n".join(line for line in text.splitlines() if f" {db} " in line)


def test_replica_takes_export_reads_and_the_primary_every_write(stack, site, primary):
    db = site["db"]
    primary.sql(db, f"ALTER DATABASE {db} SET log_statement = 'all'")
    standby = PgCluster(stack.base, "standby").standby_of(primary).start()
    stack.add(standby)
    assert standby.sql(db, "SELECT pg_is_in_recovery()") == "t"

    env = {**site["env"], "DATABASE_REPLICA_URL": standby.url(db)}
    node = stack.add(GunicornNode(stack.base, env, workers=1, name="replica"))
    official = Browser(f"http://127.0.0.1:{node.port}")
    page = official.get("/accounts/login/")
    signed_in = official.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": official.csrf(page.text), "login": OFFICIAL, "password": PASSWORD},
    )
    assert signed_in.status == 302

    primary_at, standby_at = (
        len(primary.log.read_text(errors="replace")),
        len(standby.log.read_text(errors="replace")),
    )
    export = official.get("/work/projects/export.csv")
    assert export.status == 200
    assert "一花五叶" in export.text or export.text.count("\n") > 1
    time.sleep(0.5)
    on_primary, on_standby = _log_since(primary, primary_at, db), _log_since(standby, standby_at, db)
    assert 'FROM "projects_project"' in on_standby
    assert 'FROM "projects_project"' not in on_primary
    # Who the official is and their roles are read fresh from the primary, inside the export too.
    assert 'FROM "django_session"' in on_primary
    assert 'FROM "accounts_membership"' in on_primary

    # The dashboards' lists read on the standby too.
    primary_at, standby_at = (
        len(primary.log.read_text(errors="replace")),
        len(standby.log.read_text(errors="replace")),
    )
    meetings = official.get("/work/dashboard/meetings/")
    assert meetings.status == 200
    time.sleep(0.5)
    on_primary, on_standby = _log_since(primary, primary_at, db), _log_since(standby, standby_at, db)
    assert 'FROM "roundtable_meeting"' in on_standby
    assert 'FROM "roundtable_meeting"' not in on_primary
    assert 'FROM "django_session"' in on_primary

    # A write (a resident's matter) goes to the primary and streams to the standby.
    primary_at = len(primary.log.read_text(errors="replace"))
    resident = Browser(f"http://127.0.0.1:{node.port}")
    form = resident.get("/v/xindong/submit/")
    fields = {
        "csrfmiddlewaretoken": resident.csrf(form.text),
        "title": "水渠堵了",
        "description": "下雨就淹",
        "category": "public_service",
        "group": "",
        "raiser_name": "",
        "raiser_mobile": "",
        "website": "",
    }
    assert resident.post("/v/xindong/submit/", fields).status == 302
    time.sleep(0.5)
    assert 'INSERT INTO "roundtable_issue"' in _log_since(primary, primary_at, db)
    wait_for(
        lambda: standby.sql(db, "SELECT count(*) FROM roundtable_issue WHERE title = '水渠堵了'") == "1",
        timeout=10,
        what="the row on the standby",
    )


def test_backup_restores_into_a_new_database_and_folder_equal(stack, site, primary):
    env1 = {**site["env"], "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1"}
    script = str(ROOT / "tests" / "stack" / "snapshot.py")
    added = json.loads(run([sys.executable, script, "add-photo"], env=env1, cwd=ROOT).stdout.splitlines()[-1])
    assert added["pk"]
    out = manage(env1, "backup", "--output", str(stack.base / "backups")).stdout.strip().splitlines()[-1]
    backup_dir = stack.base / "backups" / out.rsplit("/", 1)[-1]
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["version"] and manifest["media"]["files"] >= 1
    before = json.loads(run([sys.executable, script, "snapshot"], env=env1, cwd=ROOT).stdout.splitlines()[-1])

    new_db = site["db"] + "_restored"
    primary.createdb(new_db)
    media2 = stack.base / f"media-{new_db}"
    env2 = {**env1, "DATABASE_URL": primary.url(new_db), "DJANGO_MEDIA_ROOT": str(media2)}
    restored = manage(env2, "restore", str(backup_dir))
    assert "restored" in restored.stdout
    after = json.loads(run([sys.executable, script, "snapshot"], env=env2, cwd=ROOT).stdout.splitlines()[-1])

    assert after["counts"] == before["counts"]
    assert before["counts"]["roundtable_issue"] > 0 and before["counts"]["accounts_user"] > 0
    assert after["pages"] == before["pages"]
    assert all(status == 200 for status, _sha, _len in after["pages"].values())
    assert after["photo"] == before["photo"] and after["photo"][0] == 200
    assert after["photo"][1] == after["photo"][2]  # served bytes are the stored bytes

    # Restoring again over what is there now is refused: a restore never mixes two sets.
    again = subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup_dir)],
        env=env2,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert again.returncode != 0 and "not empty" in again.stderr


def test_healthz_is_503_when_beat_falls_silent(stack, site):
    redis, redis_port = redis_server(stack.base)
    stack.add(redis)
    env = {
        **site["env"],
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DJANGO_BEAT_HEARTBEAT_SECONDS": "1",
        "DJANGO_HEALTHZ_BEAT_MAX_SILENCE": "4",
    }
    node = stack.add(GunicornNode(stack.base, env, workers=1, name="health"))
    worker = stack.add(
        Process(
            [str(BIN / "celery"), "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
            env=env,
            log=stack.base / "celery-worker.log",
        )
    )
    beat = stack.add(
        Process(
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel=WARNING",
                f"--schedule={stack.base / 'celerybeat-schedule'}",
            ],
            env=env,
            log=stack.base / "celery-beat.log",
        )
    )
    probe = Browser(f"http://127.0.0.1:{node.port}")

    def health():
        response = probe.get("/healthz")
        return response.status, json.loads(response.body)

    try:
        wait_for(lambda: health()[0] == 200, timeout=60, what="beat's first heartbeat")
    except TimeoutError:
        raise AssertionError(f"{health()}\n{worker.tail()}\n{beat.tail()}") from None
    status, body = health()
    assert body["beat"]["state"] == "ok" and body["outbox"]["due"] >= 0

    beat.stop(signal.SIGTERM)
    wait_for(lambda: health()[0] == 503, timeout=30, what="503 after beat stopped")
    status, body = health()
    assert status == 503
    assert body["beat"]["state"] == "silent" and body["beat"]["age_seconds"] > 4
    assert body["database"] == "ok" and body["status"] == "error"


def test_upgrade_under_load_sees_no_error(stack, site):
    nginx, a, b, names, _redis_port, env = two_nodes_behind_nginx(stack, site)
    static = re.search(r'href="(/static/[^"]+\.css)"', Browser(nginx.url).get("/").text).group(1)
    errors, answered, stop = [], [], threading.Event()

    def load():
        browser = Browser(nginx.url)
        while not stop.is_set():
            for path in ("/", "/v/xindong/", "/v/xindong/submit/", "/track/", static):
                try:
                    response = browser.get(path)
                except Exception as exc:  # a refused or dropped connection is an error too
                    errors.append((path, repr(exc)))
                    continue
                answered.append(response.upstream)
                if response.status != 200:
                    errors.append((path, response.status))

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        old_workers = a.worker_pids() | b.worker_pids()
        upgrade = subprocess.run(
            ["bash", str(DEPLOY / "upgrade.sh")],
            env={
                **env,
                "APP_DIR": str(ROOT),
                "TONGXIN_ENV_FILE": "/nonexistent",
                "TONGXIN_PYTHON": sys.executable,
                "TONGXIN_SKIP_INSTALL": "1",
                "TONGXIN_RELOAD_WEB": f"kill -HUP {a.pid} {b.pid}",
                "TONGXIN_RESTART_WORKERS": "true",
            },
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        assert "== migrations" in upgrade.stdout and "== reload web" in upgrade.stdout
        # Every worker is replaced by one running the code on disk now; the masters stay.
        wait_for(
            lambda: (
                len(a.worker_pids()) == 2
                and len(b.worker_pids()) == 2
                and not (a.worker_pids() | b.worker_pids()) & old_workers
            ),
            timeout=60,
            what="new gunicorn workers",
        )
        count_at_reload = len(answered)
        wait_for(lambda: len(answered) > count_at_reload + 20, timeout=30, what="requests after the reload")
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert a.alive() and b.alive()
    assert errors == []
    assert len(answered) > 50
    assert {names[u] for u in answered if u} == {"a", "b"}
