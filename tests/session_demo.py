"""The demo data (``seed_demo``), seeded once per test session instead of once per test.

Seeding 罗溪镇's demo (17 villages, roundtables with years of history, the registries) takes seconds, and
doing it for every test that reads it was most of the suite's time. Now:

- A test that asks for the ``demo`` fixture runs inside one outer transaction that holds the seeded demo.
  pytest-django runs the test in a savepoint within it and rolls the savepoint back after the test, as
  for any test, so whatever a test changes is gone before the next one starts.
- The ``demo`` tests are run one after another at the start of the session (``pytest_collection_
  modifyitems``); after the last of them the outer transaction is rolled back, so no other test ever sees
  the demo (many build their own 罗溪镇 and 新东村 with factories).
- Transactional tests (``live_server``, threads, Celery workers) cannot run inside that transaction: their
  server and workers use other connections, and pytest-django flushes the database after each. They run
  after the ``demo`` group has ended; those that need the demo ask for ``demo_committed``, which seeds it
  for real (the flush after the test removes it again).
- Browser tests that only read the demo (signing in is allowed: a session row harms nobody) ask for
  ``demo_server``: a live server over the demo, committed once for all of them and flushed at the end of
  the session. They ask for no database access of their own (so nothing is flushed between them) and run
  last, after every test that expects an empty database.
- If ``demo`` tests are not contiguous (a ``-k`` selection, or xdist spreading them over workers), the next
  one opens the outer transaction again and re-seeds: slower, never wrong. ``DEMO.seeds`` counts how often
  that happened in this process.
"""

import os

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from pytest_django.live_server_helper import LiveServer

from villages.models import Township

DEMO_TOWNSHIP = "luoxi"


def seed_demo() -> None:
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _uses_db(item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(item.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & names)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def in_demo_group(item) -> bool:
    return "demo" in getattr(item, "fixturenames", ()) and not _transactional(item)


class _DemoTransaction:
    """The outer transaction holding the seeded demo, opened and rolled back around each run of demo tests."""

    def __init__(self):
        self.blocker = None
        self.atomic = None
        self.seeds = 0

    @property
    def active(self) -> bool:
        return self.atomic is not None

    def open(self) -> None:
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            seed_demo()
        self.seeds += 1

    def roll_back(self) -> None:
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None


DEMO = _DemoTransaction()


def uses_demo_server(item) -> bool:
    return "demo_server" in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # After pytest-django's ordering (plain database tests, then transactional ones, then the rest) and
    # pytest's own grouping of the tests that share a parametrized fixture (all the Chromium tests sit
    # together, among the transactional ones). The sort is stable: only the demo tests move, to the
    # front, and the demo_server tests to the very end, after every test that expects an empty database.
    items.sort(key=lambda item: 0 if in_demo_group(item) else 2 if uses_demo_server(item) else 1)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if "demo" in getattr(item, "fixturenames", ()) and _transactional(item):
        pytest.fail("a transactional test cannot share the session's demo: ask for demo_committed instead")
    if uses_demo_server(item) and _uses_db(item):
        pytest.fail("a demo_server test asks for no database of its own: its flush would empty the demo")
    # A demo test after other tests (only when the demo tests are not contiguous): open the outer
    # transaction again before any of the test's fixtures start its own.
    if DEMO.blocker is not None and not DEMO.active and in_demo_group(item):
        DEMO.open()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if DEMO.active and (nextitem is None or not in_demo_group(nextitem)):
        DEMO.roll_back()
    return result


@pytest.fixture(scope="session")
def _demo_transaction(django_db_setup, django_db_blocker):
    # Session-scoped, so pytest sets it up before the test's own (function-scoped) transaction.
    DEMO.blocker = django_db_blocker
    if not DEMO.active:
        DEMO.open()
    yield DEMO
    if DEMO.active:
        DEMO.roll_back()


@pytest.fixture
def demo(_demo_transaction, db) -> Township:
    """罗溪镇 with the whole demo, shared by the session's demo tests; each test's changes are rolled back."""
    assert DEMO.active, "the demo's outer transaction is not open"
    return Township.objects.get(code=DEMO_TOWNSHIP)


@pytest.fixture
def demo_committed(transactional_db) -> Township:
    """The demo seeded for real, for a transactional test (live server, threads, workers)."""
    seed_demo()
    return Township.objects.get(code=DEMO_TOWNSHIP)


def _flush(django_db_blocker) -> None:
    # what pytest-django does after a transactional test
    with django_db_blocker.unblock():
        for alias in connections:
            if not connections[alias].settings_dict.get("TEST", {}).get("MIRROR"):
                call_command("flush", verbosity=0, interactive=False, database=alias)


@pytest.fixture(scope="session")
def _test_database(request, django_db_setup, django_db_blocker):
    """The test database, also in a run whose only database users are ``demo_server`` tests.

    pytest-django sets up the databases that the collected tests ask for (``db``, ``transactional_db``,
    ``live_server`` or a ``django_db`` mark). A run of browser tests alone asks for none, so the connection
    would still point at the real database, and ``_demo_server`` would flush and seed *that*.
    """
    from django.test.utils import setup_databases, teardown_databases

    connection = connections["default"]
    if connection.settings_dict["NAME"] == connection.creation._get_test_db_name():
        yield
        return
    keepdb = request.config.getoption("reuse_db") and not request.config.getoption("create_db")
    with django_db_blocker.unblock():
        created = setup_databases(verbosity=0, interactive=False, aliases={"default"}, keepdb=keepdb)
    yield
    if not keepdb:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


@pytest.fixture(scope="session")
def _demo_server(_test_database, django_db_blocker):
    if DEMO.active:
        DEMO.roll_back()
    _flush(django_db_blocker)  # nothing left over from an interrupted run (--reuse-db)
    with django_db_blocker.unblock():
        seed_demo()
    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    yield server
    server._live_server_modified_settings.disable()
    server.stop()
    _flush(django_db_blocker)


@pytest.fixture
def demo_server(_demo_server, django_db_blocker):
    """A live server over the demo, shared by the browser tests that only read it (see the module's doc)."""
    with django_db_blocker.unblock():  # the server's thread answers from the database during the test
        yield _demo_server
