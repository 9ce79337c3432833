"""Fixtures of the stack tests (``make test-stack``): one PostgreSQL cluster of their own for the session,
holding a migrated, seeded template database; each test copies it and starts its own services."""

import shutil

import pytest

from tests.stack.services import PgCluster, Stack, app_env, make_temp, manage, missing_programs

TEMPLATE = "tongxin_template"


@pytest.fixture(scope="session")
def stack_base():
    missing = missing_programs()
    if missing:
        pytest.skip(f"the stack tests need {', '.join(missing)} (Debian: nginx redis-server postgresql)")
    base = make_temp()
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def primary(stack_base):
    """A PostgreSQL primary on a spare port with the template database (migrated, demo loaded) and the
    collected static files under ``stack_base/static``."""
    cluster = PgCluster(stack_base, "primary").init().start()
    try:
        cluster.createdb(TEMPLATE)
        env = app_env(
            DATABASE_URL=cluster.url(TEMPLATE),
            DJANGO_MEDIA_ROOT=stack_base / "media-template",
            DJANGO_STATIC_ROOT=stack_base / "static",
        )
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        manage(env, "seed_demo")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def stack(stack_base, request):
    """The services a test starts; all stopped when it ends, in reverse order."""
    started = Stack(stack_base)
    yield started
    started.close()


@pytest.fixture
def site(primary, stack_base, request):
    """A fresh copy of the template database and media folder for this test, and the settings to use them."""
    name = "t_" + request.node.name.removeprefix("test_")[:40]
    primary.createdb(name, template=TEMPLATE)
    media = stack_base / f"media-{name}"
    if (stack_base / "media-template").exists():
        shutil.copytree(stack_base / "media-template", media)
    else:
        media.mkdir()
    env = app_env(
        DATABASE_URL=primary.url(name),
        DJANGO_MEDIA_ROOT=media,
        DJANGO_STATIC_ROOT=stack_base / "static",
        DJANGO_HEALTHZ_BEAT_MAX_SILENCE=0,
    )
    return {"db": name, "media": media, "env": env}
