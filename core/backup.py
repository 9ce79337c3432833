"""Backups that restore: the database (``pg_dump -Fc``, or SQLite's online backup), the uploaded files read
through the storage API (a directory or S3 alike) and a manifest with checksums and the app's version.

The database is dumped first, in one consistent snapshot, and the files after it: a photo uploaded in
between is an extra file nobody refers to, while every photo the dump refers to is in the set (the portal
never deletes an uploaded file). A set is written under a temporary name and renamed when complete, so
a half-written set never looks like a backup.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tomllib
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MANIFEST = "manifest.json"
MEDIA = "media.tar"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why."""


def _run(tool: str, args: list[str], env=None) -> subprocess.CompletedProcess:
    """Runs a PostgreSQL or git client found on PATH; the arguments come from settings, not from users."""
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not installed (Debian: postgresql-client)")
    return subprocess.run([executable, *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def app_version() -> dict:
    """The version in pyproject.toml and, in a git checkout, the commit."""
    base = Path(settings.BASE_DIR)
    version = tomllib.loads((base / "pyproject.toml").read_text())["project"]["version"]
    commit = ""
    if (base / ".git").exists() and shutil.which("git"):
        commit = _run("git", ["-C", str(base), "rev-parse", "HEAD"]).stdout.strip()
    return {"version": version, "commit": commit}


def _pg_env_args(alias: str = "default") -> tuple[dict, list[str]]:
    conf = connections[alias].settings_dict
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    args = []
    if conf.get("HOST"):
        args += ["-h", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["-p", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["-U", str(conf["USER"])]
    return env, [*args, "-d", str(conf["NAME"])]


def _is_postgres(alias="default") -> bool:
    return connections[alias].vendor == "postgresql"


def _walk_storage(storage, path=""):
    dirs, files = storage.listdir(path)
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for name in sorted(dirs):
        yield from _walk_storage(storage, f"{path}/{name}" if path else name)


def _storage_files(storage) -> list[str]:
    try:
        return list(_walk_storage(storage))
    except FileNotFoundError:  # a media directory not created yet holds nothing
        return []


def _applied_migrations() -> dict:
    latest = {}
    for app, name in MigrationRecorder.Migration.objects.values_list("app", "name").order_by("app", "name"):
        latest[app] = name
    return latest


def backup_create(*, directory: Path, keep: int = 0) -> Path:
    """Writes one complete set into a new folder under ``directory`` and returns it.

    With ``keep`` > 0, older sets beyond the newest ``keep`` are deleted afterwards.
    """
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    final = directory / f"tongxin-{stamp}"
    work = directory / f".partial-tongxin-{stamp}"
    if final.exists():
        raise BackupError(f"{final} exists already")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        if _is_postgres():
            env, args = _pg_env_args()
            db_file = work / PG_DUMP
            result = _run("pg_dump", ["-Fc", "--no-owner", "--no-privileges", "-f", str(db_file), *args], env)
            if result.returncode:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            db_file = work / SQLITE_COPY
            source = sqlite3.connect(str(connections["default"].settings_dict["NAME"]))
            target = sqlite3.connect(str(db_file))
            with target:
                source.backup(target)
            source.close()
            target.close()

        names = _storage_files(default_storage)
        media_bytes = 0
        with tarfile.open(work / MEDIA, "w") as tar:
            for name in names:
                with default_storage.open(name, "rb") as fh:
                    data = fh.read()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mtime = int(datetime.datetime.now().timestamp())
                tar.addfile(info, io.BytesIO(data))
                media_bytes += len(data)

        manifest = {
            "app": "tongxin",
            **app_version(),
            "created_at": timezone.now().isoformat(),
            "database": {
                "vendor": connections["default"].vendor,
                "file": db_file.name,
                "sha256": sha256(db_file),
                "bytes": db_file.stat().st_size,
            },
            "media": {
                "file": MEDIA,
                "sha256": sha256(work / MEDIA),
                "files": len(names),
                "bytes": media_bytes,
            },
            "migrations": _applied_migrations(),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if keep > 0:
        sets = sorted(p for p in directory.glob("tongxin-*") if (p / MANIFEST).exists())
        for old in sets[:-keep]:
            shutil.rmtree(old)
    return final


def backup_verify(path: Path) -> dict:
    """Reads the manifest of the set at ``path`` and checks every file's checksum; returns the manifest."""
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} holds no readable {MANIFEST}: {exc}") from exc
    for part in ("database", "media"):
        file = path / manifest[part]["file"]
        if not file.exists() or sha256(file) != manifest[part]["sha256"]:
            raise BackupError(f"{file} is missing or does not match its checksum in the manifest")
    return manifest


def _database_is_empty() -> bool:
    return not connections["default"].introspection.table_names()


def backup_restore(*, path: Path) -> dict:
    """Brings the set at ``path`` back into the empty database and the empty media storage configured now."""
    manifest = backup_verify(path)
    vendor = connections["default"].vendor
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(f"the set holds a {manifest['database']['vendor']} database, this one is {vendor}")
    if not _database_is_empty():
        raise BackupError("the database is not empty: restore only into a new, empty database")
    if _storage_files(default_storage):
        raise BackupError("the media storage is not empty: restore only into a new, empty folder")

    db_file = path / manifest["database"]["file"]
    if vendor == "postgresql":
        connections["default"].close()
        env, args = _pg_env_args()
        result = _run(
            "pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", *args, str(db_file)], env
        )
        if result.returncode:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    else:
        connections["default"].close()
        source = sqlite3.connect(str(db_file))
        target = sqlite3.connect(str(connections["default"].settings_dict["NAME"]))
        with target:
            source.backup(target)
        source.close()
        target.close()

    with tarfile.open(path / MEDIA) as tar:
        for member in tar:
            if not member.isfile():
                continue
            data = tar.extractfile(member).read()
            saved = default_storage.save(member.name, ContentFile(data))
            if saved != member.name:
                raise BackupError(f"{member.name} was stored as {saved}")
    return manifest
