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


def cache_for_this_database() -> None:
    """Clears the cache (the bench's own Redis database) when it last served another bench database, so
    that no dashboard snapshot of one data set is shown for another with the same village ids."""
    from django.core.cache import cache

    marker = "bench:database"
    if cache.get(marker) != os.environ["DATABASE_URL"]:
        cache.clear()
        cache.set(marker, os.environ["DATABASE_URL"], None)
