"""Settings: production needs a secret key and passes the deploy check; development keeps its own key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
