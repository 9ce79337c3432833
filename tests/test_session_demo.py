"""The session's demo (tests/session_demo.py): seeded once, each test's changes rolled back, and invisible to
the tests that did not ask for it."""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

import pytest

from tests.session_demo import DEMO, in_demo_group, pytest_runtest_setup, uses_demo_server
from villages.models import Township, Village


def test_demo_change_made_by_one_test(demo):
    Village.objects.filter(code="xindong").update(name="改名村")
    assert Village.objects.get(code="xindong").name == "改名村"


def test_demo_change_is_rolled_back_before_the_next_demo_test(demo):
    # runs after the test above (file order is kept inside the demo group)
    assert Village.objects.get(code="xindong").name == "新东村"
    assert Village.objects.filter(township=demo).count() == 17


def test_demo_seeded_once_per_session(demo):
    assert DEMO.active
    assert DEMO.seeds == 1


def test_demo_is_invisible_to_tests_without_it(db):
    # runs after the demo group: its outer transaction has been rolled back
    assert not DEMO.active
    assert not Township.objects.filter(code="luoxi").exists()
    assert not Village.objects.exists()


def test_demo_tests_run_first_and_together(request):
    items = request.session.items
    flags = [in_demo_group(item) for item in items]
    first_other = flags.index(False) if False in flags else len(flags)
    assert any(flags)
    assert not any(flags[first_other:]), "a demo test runs after other tests: the demo is seeded again"


def test_demo_server_tests_run_last(request):
    flags = [uses_demo_server(item) for item in request.session.items]
    first = flags.index(True) if True in flags else len(flags)
    assert all(flags[first:]), "a test runs after the demo_server tests and finds their committed demo"


def test_demo_refused_to_a_transactional_test():
    item = SimpleNamespace(fixturenames=["demo", "live_server"], get_closest_marker=lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="cannot share the session's demo"):
        pytest_runtest_setup(item)


def test_demo_server_refused_to_a_database_test():
    item = SimpleNamespace(fixturenames=["demo_server", "db"], get_closest_marker=lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="asks for no database of its own"):
        pytest_runtest_setup(item)


def test_demo_server_serves_the_demo(demo_server):
    with urlopen(f"{demo_server.url}/v/xindong/") as response:  # noqa: S310 (the test's own server)
        assert response.status == 200
        assert "新东村" in response.read().decode()


def test_demo_server_tests_alone_seed_the_test_database(tmp_path):
    """Browser tests run alone (none asks for ``db``) still seed a test database, never the real one."""
    real = os.environ.get("DATABASE_URL")
    if real:  # another real database, which need not exist: only its test database is made (and dropped)
        parts = urlsplit(real)
        real = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_alone"))
    else:
        real = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "--create-db",
            "-p",
            "no:randomly",
            "tests/test_session_demo.py::test_demo_server_serves_the_demo",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "DATABASE_URL": real},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "1 passed" in run.stdout
    assert not (tmp_path / "real.sqlite3").exists() or (tmp_path / "real.sqlite3").stat().st_size == 0
