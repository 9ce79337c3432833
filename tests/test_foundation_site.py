"""Public pages, languages, /healthz, demo data, settings."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.utils import OperationalError
from django.urls import reverse

from accounts.models import Membership, User
from villages.models import Township, Village, VillageGroup

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def public_paths():
    return ["/", "/v/xindong/", "/v/jinxi/", "/accounts/login/", "/accounts/password/reset/"]


@pytest.mark.parametrize("path", public_paths())
@pytest.mark.parametrize(("language", "marker"), [("zh-hans", 'lang="zh-CN"'), ("en", 'lang="en"')])
def test_public_page_in_both_languages(client, demo, path, language, marker):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert marker in html
    if language == "en":
        assert "Villages" in html
    else:
        assert "村庄" in html


def test_home_lists_the_17_villages(client, demo):
    html = client.get("/").content.decode()
    for name in ["新东村", "洪四村", "建兴村", "广桥村"]:
        assert name in html
    assert html.count('class="card village-card"') == 17


def test_language_switch_sets_cookie(client, demo):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Villages" in client.get("/").content.decode()
    assert 'lang="en"' in client.get("/").content.decode()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data") and value:
                self.urls.append((tag, name, value))


@pytest.mark.parametrize("path", public_paths())
def test_public_page_loads_nothing_from_other_hosts(client, demo, path):
    parser = _Links()
    parser.feed(client.get(path).content.decode())
    assert parser.urls, "the page should reference its own CSS and JS"
    external = [u for u in parser.urls if "//" in u[2].split("?")[0][:8] or u[2].startswith("//")]
    assert external == []
    response = client.get(path)
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_static_files_are_served(client, demo):
    for asset in ["/static/css/tongxin.css", "/static/js/htmx.min.js", "/static/js/tongxin.js"]:
        response = client.get(asset)
        assert response.status_code == 200, asset


def test_unknown_village_is_404(client, demo):
    response = client.get("/v/nowhere/")
    assert response.status_code == 404


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in ("ok", "in-process", "error")


def test_healthz_database_down(client, db):
    with mock.patch("config.health.connection") as conn:
        conn.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_healthz_reports_dead_broker(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    body = client.get("/healthz").json()
    assert body["broker"] == "error"


def test_seed_demo_is_idempotent(db):
    def counts():
        return (
            Township.objects.count(),
            Village.objects.count(),
            VillageGroup.objects.count(),
            User.objects.count(),
            Membership.objects.count(),
        )

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    first = counts()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert counts() == first
    assert Village.objects.filter(township__code="luoxi").count() == 17
    # 洛江区: 罗溪镇 and two more townships, village codes unique across the district
    assert set(Township.objects.values_list("district__code", flat=True)) == {"luojiang"}
    assert first[0] >= 3
    assert first[1] > 17
    assert set(Village.objects.filter(is_pilot=True).values_list("code", flat=True)) == {
        "xindong",
        "hongsi",
        "jianxing",
        "guangqiao",
    }
    assert all(v.groups.exists() for v in Village.objects.all())


def test_demo_accounts_log_in(client, demo):
    for email in [
        "official@luoxi.demo",
        "district@luojiang.demo",
        "cadre@xindong.demo",
        "cadre@hongsi.demo",
        "supervisor@xindong.demo",
        "member@xindong.demo",
    ]:
        client.logout()
        response = client.post(reverse("account_login"), {"login": email, "password": "tongxin-demo-2026"})
        assert response.status_code == 302, email
    official = User.objects.get(email="official@luoxi.demo")
    assert official.memberships.get().role == Membership.Role.OFFICIAL


def _run_django(env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key():
    result = _run_django({"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "example.test"}, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_pass_deploy_check(tmp_path):
    result = _run_django(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x9" * 40 + "-unique-Key-for-a-test",
            "DJANGO_ALLOWED_HOSTS": "example.test",
            "DJANGO_HTTPS": "1",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr


def test_development_key_is_generated_once_into_an_untracked_file(tmp_path):
    key_file = tmp_path / "key"
    env = {"DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY_FILE": str(key_file)}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    outs = []
    for _ in range(2):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        full_env.update(env, DJANGO_SETTINGS_MODULE="config.settings")
        outs.append(
            subprocess.run(
                [sys.executable, "-c", f"import django; django.setup(); {code}"],
                cwd=ROOT,
                env=full_env,
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout.strip()
        )
    assert outs[0] == outs[1] == key_file.read_text().strip()
    assert len(outs[0]) >= 50
    assert oct(key_file.stat().st_mode)[-3:] == "600"
    ignored = subprocess.run(["git", "check-ignore", ".secret_key"], cwd=ROOT, capture_output=True, text=True)
    assert ignored.returncode == 0
