"""The upgrade drill (issue 22): a database the previous release migrated and filled (its
demo city: notices, bookings, decisions, letters, the audit log) is upgraded to this code
with `agora migrate`, as an operator would, and loses nothing; `agora audit verify` still
passes. On the PostgreSQL pass the drill restores the release's PostgreSQL dump, on the
SQLite pass its SQLite file (tests/upgrade/, made by tools/upgrade_fixture.sh).

And every migration after that release can be undone (or says why not)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, RunSQL

HERE = Path(__file__).parent / "upgrade"
RELEASE = "0.4.0"
MANIFEST = json.loads((HERE / f"agora-{RELEASE}.json").read_text())
COUNT = (
    "import json\n"
    "from django.db import connection\n"
    "tables = {tables!r}\n"
    "with connection.cursor() as c:\n"
    "    out = {{}}\n"
    "    for t in tables:\n"
    "        c.execute(f'SELECT count(*) FROM {{t}}')\n"
    "        out[t] = c.fetchone()[0]\n"
    "print(json.dumps(out))\n"
)


def _agora(env, *args, check=True):
    done = subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, "-m", "agora.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )
    if check:
        assert done.returncode == 0, f"agora {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def _psql() -> str:
    found = shutil.which("psql") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))), None)
    assert found, "psql not found (apt-get install postgresql-client)"
    return str(found)


@pytest.fixture
def old_database(tmp_path):
    """The previous release's database, restored where this pass's database lives."""
    if connection.vendor == "postgresql":
        config = dj_database_url.parse(os.environ["DATABASE_URL"])
        name = f"agora_upgrade_{uuid.uuid4().hex[:8]}"
        server = [
            "-h",
            config["HOST"] or "127.0.0.1",
            "-p",
            str(config["PORT"] or 5432),
            "-U",
            config["USER"],
        ]
        psql = _psql()
        run = {
            "check": True,
            "capture_output": True,
            "env": {**os.environ, "PGPASSWORD": config["PASSWORD"] or ""},
        }
        subprocess.run([psql, *server, "-d", "postgres", "-c", f"CREATE DATABASE {name}"], **run)  # noqa: S603
        dump = gzip.decompress((HERE / f"agora-{RELEASE}.postgresql.sql.gz").read_bytes())
        subprocess.run([psql, *server, "-d", name, "-q", "-v", "ON_ERROR_STOP=1"], input=dump, **run)  # noqa: S603
        url = (
            f"postgres://{config['USER']}:{config['PASSWORD'] or ''}@{config['HOST'] or '127.0.0.1'}:"
            f"{config['PORT'] or 5432}/{name}"
        )
        yield url
        subprocess.run([psql, *server, "-d", "postgres", "-c", f"DROP DATABASE {name}"], **run)  # noqa: S603
    else:
        path = tmp_path / "old.sqlite3"
        path.write_bytes(gzip.decompress((HERE / f"agora-{RELEASE}.sqlite3.gz").read_bytes()))
        yield f"sqlite:///{path}"


@pytest.mark.slow
def test_the_previous_releases_database_upgrades_and_keeps_every_record_and_the_log(old_database, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": old_database,
        "AGORA_KEY_DIR": str(tmp_path / "keys"),
        "AGORA_DUMP_DIR": str(tmp_path / "dumps"),
        "HUEY_IMMEDIATE": "1",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    tables = sorted(MANIFEST["counts"])
    before = json.loads(
        _agora(env, "shell", "-c", COUNT.format(tables=tables)).stdout.strip().splitlines()[-1]
    )
    assert before == MANIFEST["counts"]
    assert _agora(env, "migrate", "--check", check=False).returncode != 0  # this release has new ones

    migrated = _agora(env, "migrate", "--noinput")
    assert "Applying scheduling.0005_move_requests... OK" in migrated.stdout
    _agora(env, "migrate", "--check")  # nothing left to apply

    after = json.loads(
        _agora(env, "shell", "-c", COUNT.format(tables=tables)).stdout.strip().splitlines()[-1]
    )
    assert after == before  # notices, bookings, decisions, letters, offers and the log: all there
    verified = _agora(env, "audit", "verify")
    assert "intact" in verified.stdout.lower() or "ok" in verified.stdout.lower(), verified.stdout
    invariants = _agora(env, "check-invariants", check=False)
    assert invariants.returncode == 0, invariants.stdout + invariants.stderr


def test_every_migration_after_the_last_release_can_be_undone():
    """From 0.5.0 on, a migration is reversible, or its class says why not (`irreversible_because`)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    released = set(MANIFEST["migrations"])
    new = [
        (key, migration)
        for key, migration in loader.disk_migrations.items()
        if key[0]
        in {"accounts", "rules", "venues", "notices", "scheduling", "audit", "register", "api", "ops"}
        and f"{key[0]}.{key[1]}" not in released
    ]
    assert new, "no migration since the release: the check would check nothing"
    stuck = []
    for (app, name), migration in new:
        if getattr(migration, "irreversible_because", ""):
            continue
        for operation in migration.operations:
            one_way = not operation.reversible or (
                isinstance(operation, RunPython | RunSQL) and not operation.reversible
            )
            if one_way:
                stuck.append(f"{app}.{name}: {operation.describe()}")
    assert not stuck, "irreversible without a reason (set irreversible_because): " + "; ".join(stuck)
