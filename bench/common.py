"""What the bench scripts share: the environment they run Django in, and their database."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Fixed keys for benchmark data only, so every script and every gunicorn worker decrypts what the generator
# encrypted, whatever worktree it runs from. Never use them for real data.
BENCH_ENV = {
    "TONGXIN_DATA_KEYS": "YmVuY2gtb25seS1ub3QtYS1yZWFsLWtleS0wMDAwMDA=",
    "TONGXIN_DATA_HASH_KEY": "bench-only-hash-key-not-for-real-data",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
}
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/tongxin_bench"


def setup_environment(debug: str = "1") -> None:
    sys.path.insert(0, str(ROOT))
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", debug)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE)


def ensure_database(url: str | None = None) -> None:
    import psycopg

    url = url or os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str | None = None) -> None:
    import psycopg

    url = url or os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"dropped {name}")


# Each size of data its own Redis database for the cache (dashboard snapshots, rate-limit counters), so that
# measuring one size after the other does not clear the other's snapshots (a township's and the district's
# year take seconds to compute at a million issues).
REDIS_DATABASES = {1_000_000: 6, 50_000: 7}


def redis_for(issues: int) -> str:
    """The default cache of a size's bench database (bench/generate.py ``database_for``): Redis db 6 for a
    million issues, 7 for 50,000, 8 for any other size."""
    return f"redis://127.0.0.1:6379/{REDIS_DATABASES.get(issues, 8)}"


def cache_for_this_database() -> None:
    """Clears the cache when it last served another bench database (REDIS_URL set by hand to one shared
    by two sizes, or a third size on db 8), so that no dashboard snapshot of one data set is shown for
    another with the same village ids."""
    from django.core.cache import cache

    marker = "bench:database"
    if cache.get(marker) != os.environ["DATABASE_URL"]:
        cache.clear()
        cache.set(marker, os.environ["DATABASE_URL"], None)
