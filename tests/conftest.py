import os
import shutil
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Membership
from tests.factories import TownshipFactory, VillageFactory, VillageGroupFactory, make_user

# The demo data, seeded once per session: the `demo` and `demo_committed` fixtures.
pytest_plugins = ["tests.session_demo"]

# Playwright's sync API runs an event loop in the test thread; the ORM must be allowed beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    # The stack tests start real services: only `make test-stack` (-m stack) runs them.
    if "stack" not in (config.getoption("markexpr") or ""):
        stack = [item for item in items if "stack" in item.keywords]
        if stack:
            config.hook.pytest_deselected(items=stack)
            items[:] = [item for item in items if "stack" not in item.keywords]
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    """Each test counts its rate limits in a cache namespace of its own.

    The database cache rolls back with each test; Redis (with REDIS_URL, as in CI) keeps its keys across
    tests and xdist workers, so one test's submissions would use up the next one's limits.
    """
    default = settings.CACHES["default"]
    if "redis" in default["BACKEND"].lower():
        settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": f"t{uuid.uuid4().hex}"}}


@pytest.fixture(autouse=True)
def _default_township_read_again():
    """Each test's database has townships of its own (rolled back after it): the served township, kept a
    minute per process (villages.selectors.default_township), is read from it again."""
    from villages.selectors import forget_default_township

    forget_default_township()
    yield
    forget_default_township()


@pytest.fixture
def one_rate_window(time_machine):
    """Stops the clock for a test that counts requests up to a rate limit.

    django-ratelimit's windows are fixed and each key's window rolls over at a second of its own, so a
    loop of requests that straddles a roll-over starts counting again and never meets the limit: one in
    about sixty runs of a per-minute limit, more often on a loaded machine (seen under xdist).
    """
    time_machine.move_to(timezone.now(), tick=False)


@pytest.fixture
def township(db):
    return TownshipFactory()


@pytest.fixture
def village(township):
    v = VillageFactory(township=township, name="新东村", code="xindong", is_pilot=True)
    VillageGroupFactory(village=v, name="第一村民小组")
    VillageGroupFactory(village=v, name="第二村民小组")
    return v


@pytest.fixture
def other_village(township):
    v = VillageFactory(township=township, name="洪四村", code="hongsi", is_pilot=True)
    VillageGroupFactory(village=v, name="第一村民小组")
    return v


@pytest.fixture
def cadre(village):
    return make_user(Membership.Role.CADRE, village=village)


@pytest.fixture
def other_cadre(other_village):
    return make_user(Membership.Role.CADRE, village=other_village)


@pytest.fixture
def official(township):
    return make_user(Membership.Role.OFFICIAL, township=township)


@pytest.fixture
def supervisor(village):
    return make_user(Membership.Role.SUPERVISOR, village=village)


@pytest.fixture
def member(village):
    return make_user(Membership.Role.MEMBER, village=village)


@pytest.fixture
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- browser tests ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}
