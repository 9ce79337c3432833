"""Running on several nodes: replica routing, /healthz, /metrics, client address, request ids, JSON logs,
the Redis cache's outage behaviour, backup manifests, the deploy/ files."""

import datetime
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCacheClient
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import backup
from core.cache import ResilientRedisCache, _ResilientClient
from core.db import replica_reads, replica_reads_wanted
from core.logging import JsonFormatter, RequestIdFilter
from core.models import Heartbeat
from core.routers import ReplicaRouter
from core.tasks import heartbeat
from notifications.models import Notification
from projects.models import Project
from roundtable.models import Issue

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


# --- the replica router ---------------------------------------------------------------------------


def test_router_reads_outside_a_replica_block_from_the_primary():
    assert ReplicaRouter().db_for_read(Project) == "default"


def test_router_reads_inside_a_replica_block_from_the_replica():
    with replica_reads():
        assert ReplicaRouter().db_for_read(Project) == "replica"
        assert ReplicaRouter().db_for_read(Issue) == "replica"


def test_router_reads_sessions_users_and_cache_from_the_primary_even_in_a_replica_block():
    from django.contrib.sessions.models import Session

    from accounts.models import Membership, User

    with replica_reads():
        for model in (Session, User, Membership, Heartbeat):
            assert ReplicaRouter().db_for_read(model) == "default", model


def test_router_writes_and_migrates_on_the_primary_only():
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_write(Project) == "default"
    assert router.allow_migrate("default", "projects") is True
    assert router.allow_migrate("replica", "projects") is False


class RecordingRouter:
    """Notes the models read (in a replica block or not); everything reads from the one test database."""

    seen: list

    def db_for_read(self, model, **hints):
        # The database cache's entries are a model without a label (read for a user's kept scope).
        self.seen.append((getattr(model._meta, "label", model._meta.db_table), replica_reads_wanted()))
        return "default"


def test_exports_read_from_the_replica(client, official, village, monkeypatch):
    from django.db import router

    recorder = RecordingRouter()
    recorder.seen = []
    monkeypatch.setattr(router, "routers", [recorder])
    client.force_login(official)
    assert client.get("/work/projects/export.csv").status_code == 200
    assert client.get("/work/talent/export.csv").status_code == 200
    assert client.get("/work/income/export.csv").status_code == 200
    assert ("projects.Project", True) in recorder.seen
    assert ("talent.Talent", True) in recorder.seen
    assert ("projects.CollectiveIncome", True) in recorder.seen
    # The pages around them do not.
    recorder.seen.clear()
    assert client.get("/work/projects/").status_code == 200
    assert ("projects.Project", False) in recorder.seen
    assert ("projects.Project", True) not in recorder.seen


# --- /healthz -----------------------------------------------------------------------------------------


@pytest.fixture
def celery_mode(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # the broker's state is reported, not failed
    settings.HEALTHZ_BEAT_MAX_SILENCE = 300
    return settings


def test_healthz_is_503_when_beat_is_silent(client, db, celery_mode):
    Heartbeat.objects.create(name="beat", at=timezone.now() - datetime.timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["beat"]["state"] == "silent"
    assert body["beat"]["age_seconds"] >= 600
    assert body["database"] == "ok"


def test_healthz_is_503_when_beat_never_ran(client, db, celery_mode):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == {"state": "never", "last_run": None, "age_seconds": None}


def test_healthz_is_200_after_the_heartbeat_task_ran(client, db, celery_mode):
    heartbeat()
    assert Heartbeat.objects.get(name="beat").at > timezone.now() - datetime.timedelta(seconds=30)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["beat"]["state"] == "ok"


def test_healthz_without_celery_does_not_wait_for_beat(client, db, settings):
    settings.REDIS_URL = ""
    settings.HEALTHZ_BEAT_MAX_SILENCE = 300
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["beat"]["state"] == "in-process"


def _pending(due_at, **kwargs):
    return Notification.objects.create(
        kind=Notification.Kind.WEEKLY_DIGEST,
        channel=Notification.Channel.EMAIL,
        address="x@example.test",
        dedup_key=f"test:{due_at.isoformat()}:{kwargs}",
        due_at=due_at,
        next_attempt_at=due_at,
        **kwargs,
    )


def test_healthz_reports_the_outbox_backlog(client, db):
    now = timezone.now()
    _pending(now - datetime.timedelta(minutes=7))
    _pending(now - datetime.timedelta(minutes=2))
    _pending(now + datetime.timedelta(hours=1))  # not due yet
    _pending(now - datetime.timedelta(hours=3), status=Notification.Status.SENT)
    outbox = client.get("/healthz").json()["outbox"]
    assert outbox["due"] == 2
    assert 7 * 60 <= outbox["oldest_age_seconds"] < 8 * 60


# --- /metrics and the client's address ---------------------------------------------------------------


def test_metrics_answer_an_allowed_address(client, db):
    client.get("/healthz")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'tongxin_http_requests_total{method="GET",status="200",view="healthz"}' in text
    assert "tongxin_outbox_due 0.0" in text


def test_metrics_are_404_to_other_addresses(client, db):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_metrics_are_404_to_a_client_forwarded_by_the_trusted_proxy(client, db):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 404


def test_metrics_ignore_a_forwarded_header_from_an_untrusted_address(client, db):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.status_code == 404


def test_metrics_allow_a_configured_network(client, db, settings):
    settings.METRICS_ALLOWED_ADDRESSES = ["10.8.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.8.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.9.3.4").status_code == 404


def _miss(client, **extra):
    return client.get(reverse("roundtable:track", kwargs={"code": "ZZZZZZZZZZZZ"}), **extra)


@pytest.mark.usefixtures("one_rate_window")
def test_rate_limit_counts_the_forwarded_client_not_the_proxy(client, village):
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(10):
        assert _miss(client, HTTP_X_FORWARDED_FOR="198.51.100.1", **via_proxy).status_code == 404
    assert _miss(client, HTTP_X_FORWARDED_FOR="198.51.100.1", **via_proxy).status_code == 429
    # Another resident (another phone) behind the same nginx is not blocked, nor is one who forges a hop on
    # the left. (The same browser stays blocked whatever its address: limits follow the browser too.)
    assert _miss(Client(), HTTP_X_FORWARDED_FOR="198.51.100.2", **via_proxy).status_code == 404
    assert _miss(Client(), HTTP_X_FORWARDED_FOR="198.51.100.1, 198.51.100.3", **via_proxy).status_code == 404


@pytest.mark.usefixtures("one_rate_window")
def test_rate_limit_ignores_forwarded_headers_from_untrusted_addresses(client, village):
    for i in range(10):
        _miss(client, REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    assert _miss(client, REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


# --- request ids and JSON logs ------------------------------------------------------------------------


def test_response_carries_the_proxys_request_id(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc123def")
    assert response["X-Request-ID"] == "abc123def"


def test_response_gets_a_fresh_request_id_when_the_given_one_is_unsafe(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nInjected: 1")
    assert response["X-Request-ID"] != "bad id\nInjected: 1"
    assert len(response["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id(client, db, monkeypatch):
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Capture()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    monkeypatch.setattr(
        "config.health.broker_state", lambda: logging.getLogger("tongxin.test").warning("probe")
    )
    logger = logging.getLogger("tongxin.test")
    logger.addHandler(handler)
    try:
        client.get("/healthz", HTTP_X_REQUEST_ID="req-42")
    finally:
        logger.removeHandler(handler)
    entry = json.loads(lines[0])
    assert entry["message"] == "probe"
    assert entry["request_id"] == "req-42"
    assert entry["level"] == "WARNING" and entry["logger"] == "tongxin.test"


def test_json_log_setting_selects_the_json_formatter():
    env = {
        **os.environ,
        "DJANGO_LOG_FORMAT": "json",
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('tongxin.probe').warning('hello %s', 'world')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "hello world"
    assert entry["request_id"] == "-"


# --- the Redis cache when Redis is down ---------------------------------------------------------------


def test_redis_cache_answers_a_miss_while_redis_is_unreachable(monkeypatch):
    monkeypatch.setattr(_ResilientClient, "_down_until", 0.0)
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    cache.set("k", [1, 2])  # no exception
    assert cache.get("k", "default") == "default"
    assert _ResilientClient._down_until > 0  # and it pauses before trying again


def test_redis_cache_raises_nothing_during_the_pause(monkeypatch):
    monkeypatch.setattr(_ResilientClient, "_down_until", 1e18)

    def boom(*args, **kwargs):
        raise AssertionError("Redis was tried during the pause")

    monkeypatch.setattr(RedisCacheClient, "get", boom)
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {})
    assert cache.get("k") is None


def test_settings_use_redis_for_cache_and_sessions_when_redis_url_is_set():
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/9", "DJANGO_DEBUG": "1"}
    env.pop("DJANGO_S3_BUCKET", None)
    code = (
        "import json; from config import settings as s; "
        "print(json.dumps([s.CACHES['default']['BACKEND'], s.SESSION_ENGINE]))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert json.loads(result.stdout) == [
        "core.cache.ResilientRedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]


def test_settings_use_s3_storage_and_a_replica_when_configured():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_S3_BUCKET": "tongxin-media",
        "DJANGO_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/primary",
        "DATABASE_REPLICA_URL": "postgres://u@127.0.0.1:5433/primary",
    }
    code = (
        "import json; from config import settings as s; "
        "print(json.dumps([s.STORAGES['default']['BACKEND'], s.DATABASES['replica']['PORT'], "
        "s.DATABASE_ROUTERS]))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert json.loads(result.stdout) == [
        "storages.backends.s3.S3Storage",
        5433,
        ["core.routers.ReplicaRouter"],
    ]


# --- backup sets --------------------------------------------------------------------------------------


def _fake_set(tmp_path):
    (tmp_path / "database.dump").write_bytes(b"dump")
    (tmp_path / "media.tar").write_bytes(b"tar")
    manifest = {
        "version": "0.1.0",
        "commit": "",
        "created_at": "2026-01-01T00:00:00+00:00",
        "database": {
            "vendor": "postgresql",
            "file": "database.dump",
            "sha256": backup.sha256(tmp_path / "database.dump"),
        },
        "media": {"file": "media.tar", "sha256": backup.sha256(tmp_path / "media.tar"), "files": 0},
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_backup_verify_accepts_an_intact_set(tmp_path):
    assert backup.backup_verify(_fake_set(tmp_path))["version"] == "0.1.0"


def test_backup_verify_refuses_a_changed_file(tmp_path):
    (_fake_set(tmp_path) / "media.tar").write_bytes(b"tampered")
    with pytest.raises(backup.BackupError, match="does not match its checksum"):
        backup.backup_verify(tmp_path)


def test_backup_verify_refuses_a_folder_without_manifest(tmp_path):
    with pytest.raises(backup.BackupError, match=r"no readable manifest\.json"):
        backup.backup_verify(tmp_path)


def test_restore_refuses_a_database_that_is_not_empty(db, tmp_path):
    _fake_set(tmp_path)
    from django.db import connection

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["database"]["vendor"] = connection.vendor
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupError, match="the database is not empty"):
        backup.backup_restore(path=tmp_path)


# --- deploy/ -------------------------------------------------------------------------------------------


def test_nginx_body_limit_matches_the_portals_upload_limits(settings):
    from core.images import MAX_PHOTO_BYTES
    from core.tabular import MAX_IMPORT_BYTES

    for name in ("tongxin-http.conf", "tongxin-https.conf"):
        text = (DEPLOY / "nginx" / name).read_text()
        assert f"client_max_body_size {settings.MAX_REQUEST_BODY_MB}m;" in text, name
    assert max(MAX_PHOTO_BYTES, MAX_IMPORT_BYTES) < settings.MAX_REQUEST_BODY_MB * 1024 * 1024
    assert settings.MAX_REQUEST_BODY_MB * 1024 * 1024 >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.skipif(not shutil.which("nginx"), reason="Debian's nginx package is not installed")
@pytest.mark.parametrize("name", ["tongxin-http.conf", "tongxin-https.conf"])
def test_nginx_site_passes_nginx_t(tmp_path, name):
    from tests.stack.services import render_nginx

    conf = render_nginx(
        tmp_path, site=name, listen_port=18080, upstreams=["127.0.0.1:18081"], check_only=True
    )
    result = subprocess.run(
        ["nginx", "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_restore_refuses_media_storage_that_is_not_empty(db, tmp_path, settings, monkeypatch):
    (tmp_path / "set").mkdir()
    _fake_set(tmp_path / "set")
    media = tmp_path / "media"
    (media / "issues").mkdir(parents=True)
    (media / "issues" / "old.jpg").write_bytes(b"old")
    settings.MEDIA_ROOT = media
    from django.db import connection

    manifest = json.loads((tmp_path / "set" / "manifest.json").read_text())
    manifest["database"]["vendor"] = connection.vendor
    (tmp_path / "set" / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(backup, "_database_is_empty", lambda: True)
    with pytest.raises(backup.BackupError, match="the media storage is not empty"):
        backup.backup_restore(path=tmp_path / "set")


def test_restore_refuses_a_set_of_another_database_vendor(db, tmp_path):
    from django.db import connection

    _fake_set(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["database"]["vendor"] = "oracle"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupError, match=f"holds a oracle database, this one is {connection.vendor}"):
        backup.backup_restore(path=tmp_path)


def test_healthz_beat_check_off_when_max_silence_is_zero(client, db, celery_mode):
    celery_mode.HEALTHZ_BEAT_MAX_SILENCE = 0
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["beat"]["state"] == "never"


def test_not_found_log_line_carries_the_request_id(client, db):
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Capture()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        assert client.get("/no/such/page/", HTTP_X_REQUEST_ID="req-404").status_code == 404
    finally:
        logger.removeHandler(handler)
    entry = json.loads(lines[-1])
    assert entry["request_id"] == "req-404"
    assert entry["status_code"] == 404


# Read by the settings but meant for development and tests only, so not in the server's environment file.
NOT_FOR_SERVERS = {"DJANGO_SECRET_KEY_FILE", "NOTIFICATIONS_CLOCK_FILE", "TONGXIN_DATA_KEYS_FILE"}


def test_env_example_lists_every_setting_the_portal_reads():
    import re

    settings_source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', settings_source)) - NOT_FOR_SERVERS
    example = (DEPLOY / "tongxin.env.example").read_text()
    listed = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert "DJANGO_S3_BUCKET" in read and "DATABASE_REPLICA_URL" in read
    assert sorted(read - listed) == []


def test_gunicorn_config_reads_its_settings_from_the_env_example():
    import re

    config = (DEPLOY / "gunicorn.conf.py").read_text()
    example = (DEPLOY / "tongxin.env.example").read_text()
    read = set(re.findall(r'os\.environ\.get\("(GUNICORN_[A-Z_]+)"', config)) - {
        "GUNICORN_PIDFILE",
        "GUNICORN_ACCESSLOG",
        "GUNICORN_PROC_NAME",
    }
    assert read and all(f"\n{name}=" in example for name in read)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    """The units as installed (code in /srv/tongxin/app), pointed at this checkout and the current user."""
    import getpass

    names = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text().replace("/srv/tongxin/app", str(ROOT))
        user = getpass.getuser()
        text = text.replace("User=tongxin", f"User={user}").replace("Group=tongxin", f"Group={user}")
        (tmp_path / unit.name).write_text(text)
        names.append(f"./{unit.name}")
    assert {"./tongxin-web.service", "./tongxin-worker.service", "./tongxin-beat.service"} <= set(names)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
